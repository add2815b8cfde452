import { randomUUID } from 'node:crypto';
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { type DueUsersPage, listDueUsers } from './due-users-query.ts';
import { type SyncRunStatus, syncRuns } from './schema.ts';
import { pruneSyncRuns, type SyncRunRetention } from './sync-runs-retention.ts';

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

/** How a run ended: what `finish` writes. */
export interface RunOutcome {
  status: 'succeeded' | 'failed';
  counts: Record<string, number>;
  googleCalls: number;
  errorCode?: string;
  errorMessage?: string;
  notes?: string[];
}

export interface RunProgress {
  written: number;
  toWrite: number;
  waitingUntil?: number;
  /** What the run's tries so far have created, updated and deleted: its last try adds its own. */
  created?: number;
  updated?: number;
  deleted?: number;
}

/** The log of sync runs. Reads are always scoped to one user: another user's run is "not found". */
export interface SyncRunsRepo {
  /**
   * The user's queued run of this kind, else a new queued one (atomic per user+kind). A
   * running run is not joined: a change made while it runs must get a run of its own. A
   * queued run older than an hour is presumed lost (its job died with a process) and is
   * failed rather than joined forever.
   */
  createOrJoin(userId: string, kind: string): Promise<{ run: SyncRun; joined: boolean }>;
  /**
   * `createOrJoin` for a page of users at once (the periodic tick): one transaction of four
   * statements whatever the page size, under the same per-user locks, so a student's own
   * "sync now" and the tick still never make two queued runs. Users with a queued run join
   * it; the others get a new queued run, returned here.
   */
  startMany(
    userIds: readonly string[],
    kind: string,
  ): Promise<{ started: Array<{ userId: string; runId: string }>; joined: number }>;
  /** One page of the users due in a slice of the sync period (see `listDueUsers`). */
  listDue(page: DueUsersPage): Promise<string[]>;
  /** Deletes the runs past their retention (see `SyncRunRetention`); returns how many. */
  prune(options?: { retention?: SyncRunRetention; now?: Date }): Promise<number>;
  /** Fails every queued or running run (their jobs were lost with an in-process queue); returns how many. */
  abandonUnfinished(message: string): Promise<number>;
  /** Every user's queued runs created before `before`, oldest first (at most `limit`). */
  listQueued(before: Date, limit?: number): Promise<Array<Pick<SyncRun, 'id' | 'userId' | 'kind'>>>;
  /** Every user's running runs started before `before`, oldest first (at most `limit`). */
  listRunning(before: Date, limit?: number): Promise<Array<Pick<SyncRun, 'id' | 'userId' | 'kind'>>>;
  markRunning(runId: string): Promise<void>;
  /**
   * A try failed and the queue will try again: the run stays `running` (never `failed`, so
   * it cannot later "un-fail") and shows the last error until a later try ends it.
   */
  noteRetry(
    runId: string,
    lastError: { errorCode: string; errorMessage: string; googleCalls: number },
  ): Promise<void>;
  /**
   * A running run's progress, in its counts (`written` of `toWrite`, and `waitingUntil`, epoch
   * ms, while it waits for Google's quota), so the student sees a long first sync move.
   */
  noteProgress(runId: string, progress: RunProgress): Promise<void>;
  finish(runId: string, outcome: RunOutcome): Promise<void>;
  /**
   * `finish`, only if the run is still `status` (atomic): a check that read the run a moment
   * ago cannot overwrite the outcome its job wrote since. Resolves whether it finished it.
   */
  finishIfStill(runId: string, status: SyncRunStatus, outcome: RunOutcome): Promise<boolean>;
  get(userId: string, runId: string): Promise<SyncRun | undefined>;
  latest(userId: string, kind: string, limit?: number): Promise<SyncRun[]>;
}

const STALE_QUEUED_MS = 60 * 60_000;

const staleRunFailure = () => ({
  status: 'failed' as const,
  errorCode: 'interrupted',
  errorMessage: 'This run never started (its job was lost); a new one was queued.',
  finishedAt: new Date(),
});

/** The columns a finished run is written with: one place, so `finish` and `finishIfStill` agree. */
const finishedColumns = (outcome: RunOutcome) => ({
  status: outcome.status,
  counts: outcome.counts,
  googleCalls: outcome.googleCalls,
  errorCode: outcome.errorCode ?? null,
  errorMessage: outcome.errorMessage ?? null,
  notes: outcome.notes ?? [],
  finishedAt: new Date(),
});

export function createSyncRunsRepo(orm: Orm): SyncRunsRepo {
  return {
    async abandonUnfinished(message) {
      const rows = await orm
        .update(syncRuns)
        .set({ status: 'failed', errorCode: 'interrupted', errorMessage: message, finishedAt: new Date() })
        .where(inArray(syncRuns.status, ['queued', 'running']))
        .returning({ id: syncRuns.id });
      return rows.length;
    },
    async createOrJoin(userId, kind) {
      return orm.transaction(async (tx) => {
        // Serialise concurrent requests of one user so two callers cannot both create a run.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`sync-run:${userId}`}))`);
        const staleBefore = new Date(Date.now() - STALE_QUEUED_MS);
        await tx
          .update(syncRuns)
          .set(staleRunFailure())
          .where(
            and(
              eq(syncRuns.userId, userId),
              eq(syncRuns.kind, kind),
              eq(syncRuns.status, 'queued'),
              lt(syncRuns.createdAt, staleBefore),
            ),
          );
        const queued = await tx
          .select()
          .from(syncRuns)
          .where(and(eq(syncRuns.userId, userId), eq(syncRuns.kind, kind), eq(syncRuns.status, 'queued')))
          .orderBy(desc(syncRuns.createdAt))
          .limit(1);
        if (queued[0]) return { run: queued[0], joined: true };
        const [run] = await tx
          .insert(syncRuns)
          .values({ id: randomUUID(), userId, kind, status: 'queued', counts: {}, googleCalls: 0 })
          .returning();
        if (!run) throw new Error('insert returned no row');
        return { run, joined: false };
      });
    },
    listDue: (page) => listDueUsers(orm, page),
    prune: (options) => pruneSyncRuns(orm, options),
    async startMany(userIds, kind) {
      if (userIds.length === 0) return { started: [], joined: 0 };
      // Locks are taken in id order, so two pages never wait on each other in a cycle.
      const sorted = [...new Set(userIds)].sort();
      const ids = sql`array[${sql.join(
        sorted.map((id) => sql`${id}`),
        sql`, `,
      )}]::uuid[]`;
      return orm.transaction(async (tx) => {
        await tx.execute(
          sql`select pg_advisory_xact_lock(hashtext('sync-run:' || u::text)) from unnest(${ids}) as u`,
        );
        await tx
          .update(syncRuns)
          .set(staleRunFailure())
          .where(
            and(
              inArray(syncRuns.userId, sorted),
              eq(syncRuns.kind, kind),
              eq(syncRuns.status, 'queued'),
              lt(syncRuns.createdAt, new Date(Date.now() - STALE_QUEUED_MS)),
            ),
          );
        const result = await tx.execute(sql`
          insert into sync_runs (id, user_id, kind, status, counts, google_calls)
          select gen_random_uuid(), u, ${kind}, 'queued', '{}'::jsonb, 0 from unnest(${ids}) as u
          where not exists (
            select 1 from sync_runs r where r.user_id = u and r.kind = ${kind} and r.status = 'queued'
          )
          returning id, user_id`);
        const rows = (result as unknown as { rows: Array<{ id: string; user_id: string }> }).rows;
        return {
          started: rows.map((r) => ({ userId: r.user_id, runId: r.id })),
          joined: sorted.length - rows.length,
        };
      });
    },
    async listQueued(before, limit = 500) {
      return orm
        .select({ id: syncRuns.id, userId: syncRuns.userId, kind: syncRuns.kind })
        .from(syncRuns)
        .where(and(eq(syncRuns.status, 'queued'), lt(syncRuns.createdAt, before)))
        .orderBy(syncRuns.createdAt)
        .limit(limit);
    },
    async listRunning(before, limit = 500) {
      return orm
        .select({ id: syncRuns.id, userId: syncRuns.userId, kind: syncRuns.kind })
        .from(syncRuns)
        .where(and(eq(syncRuns.status, 'running'), lt(syncRuns.startedAt, before)))
        .orderBy(syncRuns.startedAt)
        .limit(limit);
    },
    async markRunning(runId) {
      await orm
        .update(syncRuns)
        .set({ status: 'running', startedAt: new Date() })
        .where(eq(syncRuns.id, runId));
    },
    async noteRetry(runId, lastError) {
      await orm
        .update(syncRuns)
        .set({
          status: 'running',
          errorCode: lastError.errorCode,
          errorMessage: lastError.errorMessage,
          googleCalls: lastError.googleCalls,
          finishedAt: null,
        })
        .where(eq(syncRuns.id, runId));
    },
    async noteProgress(runId, progress) {
      await orm
        .update(syncRuns)
        .set({ counts: { ...progress } })
        .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, 'running')));
    },
    async finish(runId, outcome) {
      await orm.update(syncRuns).set(finishedColumns(outcome)).where(eq(syncRuns.id, runId));
    },
    async finishIfStill(runId, status, outcome) {
      const rows = await orm
        .update(syncRuns)
        .set(finishedColumns(outcome))
        .where(and(eq(syncRuns.id, runId), eq(syncRuns.status, status)))
        .returning({ id: syncRuns.id });
      return rows.length > 0;
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
