import type { DueUsersPage } from '../db/due-users-query.ts';
import type { SyncRunsRepo } from '../db/sync-runs-repo.ts';
import type { BulkJob, Queue } from '../queue/queue.ts';
import { SYNC_JOB_ATTEMPTS, userJobId } from './canvas-sync-jobs.ts';
import { syncPhaseMs, tickSlice } from './sync-phase.ts';

/** How often the periodic job runs: each tick schedules the users of one minute of the period. */
export const SCHEDULER_TICK_MS = 60_000;
/** Users per page: one query, one transaction and one queue round trip each. */
export const SCHEDULER_PAGE_SIZE = 500;

export interface PeriodicScheduleDeps {
  runs: Pick<SyncRunsRepo, 'listDue' | 'startMany'>;
  queue: Pick<Queue, 'addMany'>;
  /** The sync period (every user once per period) and the tick (a whole fraction of it). */
  periodMs: number;
  tickMs?: number;
  pageSize?: number;
  /** The job's first retry delay, as for a run started by the student. */
  backoffMs: number;
}

export interface ScheduleOutcome {
  started: number;
  joined: number;
  /** Queries to find users, one per page (the last one may come back short or empty). */
  pages: number;
}

/**
 * One tick of the periodic sync for one kind of run: every user whose phase (`syncPhaseMs`)
 * falls in this tick's slice of the period gets a run and a job delayed to that phase, so
 * each user is synced once per period at the same point of it and the load is spread evenly.
 * Constant work per user: users are read, given runs and enqueued a page at a time. Users
 * with a queued run join it (the tick and a slow sync never pile up).
 */
export async function scheduleDueRuns(
  deps: PeriodicScheduleDeps,
  what: { job: string; kind: string; needsCanvas: boolean },
  nowMs: number,
): Promise<ScheduleOutcome> {
  const tickMs = Math.min(deps.tickMs ?? SCHEDULER_TICK_MS, deps.periodMs);
  const slice = tickSlice(nowMs, deps.periodMs, tickMs);
  const limit = deps.pageSize ?? SCHEDULER_PAGE_SIZE;
  const outcome: ScheduleOutcome = { started: 0, joined: 0, pages: 0 };
  let afterUserId: string | undefined;
  for (;;) {
    const page: DueUsersPage = {
      needsCanvas: what.needsCanvas,
      periodMs: deps.periodMs,
      fromMs: slice.fromMs,
      toMs: slice.toMs,
      afterUserId,
      limit,
    };
    const userIds = await deps.runs.listDue(page);
    outcome.pages += 1;
    if (userIds.length === 0) return outcome;
    const { started, joined } = await deps.runs.startMany(userIds, what.kind);
    outcome.joined += joined;
    // A run whose job is not added stays queued: the lost-job check adds it later.
    await deps.queue.addMany(
      started.map(
        ({ userId, runId }): BulkJob<{ userId: string; runId: string }> => ({
          name: what.job,
          payload: { userId, runId },
          options: {
            groupKey: userId,
            attempts: SYNC_JOB_ATTEMPTS,
            backoffMs: deps.backoffMs,
            jobId: userJobId(what.job, runId),
            delayMs: slice.delayMs(syncPhaseMs(userId, deps.periodMs)),
          },
        }),
      ),
    );
    outcome.started += started.length;
    if (userIds.length < limit) return outcome;
    afterUserId = userIds.at(-1);
  }
}
