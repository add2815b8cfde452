import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { canvasConnections, googleConnections } from './schema.ts';

/** Which users one page of a scheduling tick covers. */
export interface DueUsersPage {
  /** `canvas` needs Canvas connected too; `calendars` only Google. */
  needsCanvas: boolean;
  /** The sync period, and the slice of it [fromMs, toMs) whose users are due now. */
  periodMs: number;
  fromMs: number;
  toMs: number;
  /** Keyset paging: only user ids after this one (undefined: from the start). */
  afterUserId?: string | undefined;
  limit: number;
}

/**
 * The users due in one slice of the sync period, in user id order, one page per call: one
 * query per page, whatever the number of users. A user whose Google (or, for a Canvas sync,
 * Canvas) connection needs reconnecting is not due: they get their status, not a failed run
 * every period. The phase is `syncPhaseMs` computed in SQL (md5 of the id, first 32 bits).
 */
export async function listDueUsers(orm: Orm, page: DueUsersPage): Promise<string[]> {
  const phase = sql`(('x' || substr(md5(${googleConnections.userId}::text), 1, 8))::bit(32)::bigint % ${page.periodMs}::bigint)`;
  const where = and(
    eq(googleConnections.status, 'connected'),
    page.afterUserId === undefined ? undefined : gt(googleConnections.userId, page.afterUserId),
    sql`${phase} >= ${page.fromMs}::bigint and ${phase} < ${page.toMs}::bigint`,
  );
  const base = orm.select({ userId: googleConnections.userId }).from(googleConnections);
  const joined = page.needsCanvas
    ? base.innerJoin(
        canvasConnections,
        and(
          eq(canvasConnections.userId, googleConnections.userId),
          eq(canvasConnections.status, 'connected'),
        ),
      )
    : base;
  const rows = await joined.where(where).orderBy(asc(googleConnections.userId)).limit(page.limit);
  return rows.map((r) => r.userId);
}
