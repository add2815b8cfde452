import { asc, gt, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { users } from './schema.ts';

/**
 * How long `sync_runs` are kept. A finished run is deleted once it is older than `keepDays`
 * AND at least `keepNewest` newer runs of the same user and kind exist: the status page shows
 * the last 10, a support look-back gets two days, and a student who stopped syncing still
 * sees their last runs. Queued and running runs are never deleted, nor a user's newest run.
 * At a 15-minute period that is at most ~200 rows per user and kind instead of 35,000 a year.
 */
export interface SyncRunRetention {
  keepNewest: number;
  keepDays: number;
}

export const DEFAULT_SYNC_RUN_RETENTION: SyncRunRetention = Object.freeze({ keepNewest: 20, keepDays: 2 });

/**
 * Deletes what the retention allows, a page of users per statement (each statement reads
 * only those users' rows through `sync_runs_user_kind_created_idx`), so it never holds a
 * long lock on the table. Idempotent. Returns how many runs were deleted.
 */
export async function pruneSyncRuns(
  orm: Orm,
  options: { retention?: SyncRunRetention; now?: Date; pageSize?: number } = {},
): Promise<number> {
  const { keepNewest, keepDays } = options.retention ?? DEFAULT_SYNC_RUN_RETENTION;
  if (keepNewest < 1) throw new Error('keepNewest must keep at least the newest run');
  const cutoff = new Date((options.now ?? new Date()).getTime() - keepDays * 86_400_000);
  const pageSize = options.pageSize ?? 500;
  let deleted = 0;
  let after: string | undefined;
  for (;;) {
    const page = await orm
      .select({ id: users.id })
      .from(users)
      .where(after === undefined ? undefined : gt(users.id, after))
      .orderBy(asc(users.id))
      .limit(pageSize);
    const last = page.at(-1);
    if (!last) return deleted;
    after = last.id;
    const ids = sql.join(
      page.map((u) => sql`${u.id}`),
      sql`, `,
    );
    // Per user and kind: delete finished runs older than both the cutoff and the
    // keepNewest-th newest run (a user with fewer runs than that keeps them all).
    const result = await orm.execute(sql`
      with kinds as (
        select distinct user_id, kind from sync_runs where user_id = any(array[${ids}]::uuid[])
      ), bounds as (
        select k.user_id, k.kind, least(${cutoff.toISOString()}::timestamptz, coalesce((
          select n.created_at from sync_runs n where n.user_id = k.user_id and n.kind = k.kind
          order by n.created_at desc offset ${keepNewest - 1} limit 1
        ), '-infinity'::timestamptz)) as before
        from kinds k
      )
      delete from sync_runs r using bounds b
      where r.user_id = b.user_id and r.kind = b.kind and r.created_at < b.before
        and r.status in ('succeeded', 'failed')
      returning r.id`);
    deleted += (result as unknown as { rows: unknown[] }).rows.length;
  }
}
