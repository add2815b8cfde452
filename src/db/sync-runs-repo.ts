import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { type SyncRunStatus, syncRuns } from './schema.ts';

export interface SyncRun {
  id: string;
  userId: string;
  kind: string;
  status: SyncRunStatus;
  counts: Record<string, number>;
  googleCalls: number;
  errorCode: string | null;
  errorMessage: string | null;
  /** What a complete run wants the student to know (a course that hid its assignments). */
  notes: string[];
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The log of sync runs. Reads are always scoped to one user: another user's run is "not found". */
export interface SyncRunsRepo {
  /** The user's queued or running run of this kind, else a new queued one (atomic per user+kind). */
  createOrJoin(userId: string, kind: string): Promise<{ run: SyncRun; joined: boolean }>;
  markRunning(runId: string): Promise<void>;
  finish(
    runId: string,
    outcome: {
      status: 'succeeded' | 'failed';
      counts: Record<string, number>;
      googleCalls: number;
      errorCode?: string;
      errorMessage?: string;
      notes?: string[];
    },
  ): Promise<void>;
  get(userId: string, runId: string): Promise<SyncRun | undefined>;
  latest(userId: string, kind: string, limit?: number): Promise<SyncRun[]>;
}

export function createSyncRunsRepo(orm: Orm): SyncRunsRepo {
  return {
    async createOrJoin(userId, kind) {
      return orm.transaction(async (tx) => {
        // Serialise concurrent requests of one user so two callers cannot both create a run.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`sync-run:${userId}`}))`);
        const active = await tx
          .select()
          .from(syncRuns)
          .where(
            and(
              eq(syncRuns.userId, userId),
              eq(syncRuns.kind, kind),
              inArray(syncRuns.status, ['queued', 'running']),
            ),
          )
          .orderBy(desc(syncRuns.createdAt))
          .limit(1);
        if (active[0]) return { run: active[0], joined: true };
        const [run] = await tx
          .insert(syncRuns)
          .values({ id: randomUUID(), userId, kind, status: 'queued', counts: {}, googleCalls: 0 })
          .returning();
        if (!run) throw new Error('insert returned no row');
        return { run, joined: false };
      });
    },
    async markRunning(runId) {
      await orm
        .update(syncRuns)
        .set({ status: 'running', startedAt: new Date() })
        .where(eq(syncRuns.id, runId));
    },
    async finish(runId, outcome) {
      await orm
        .update(syncRuns)
        .set({
          status: outcome.status,
          counts: outcome.counts,
          googleCalls: outcome.googleCalls,
          errorCode: outcome.errorCode ?? null,
          errorMessage: outcome.errorMessage ?? null,
          notes: outcome.notes ?? [],
          finishedAt: new Date(),
        })
        .where(eq(syncRuns.id, runId));
    },
    async get(userId, runId) {
      const rows = await orm
        .select()
        .from(syncRuns)
        .where(and(eq(syncRuns.userId, userId), eq(syncRuns.id, runId)))
        .limit(1);
      return rows[0];
    },
    async latest(userId, kind, limit = 10) {
      return orm
        .select()
        .from(syncRuns)
        .where(and(eq(syncRuns.userId, userId), eq(syncRuns.kind, kind)))
        .orderBy(desc(syncRuns.createdAt))
        .limit(limit);
    },
  };
}
