import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { SyncRunsRepo } from '../db/sync-runs-repo.ts';
import { AppError } from '../errors.ts';
import { type Queue, QueueUnavailableError } from '../queue/queue.ts';

export const CANVAS_SYNC_JOB = 'canvas-sync';
export const CANVAS_SYNC_ALL_JOB = 'canvas-sync-all';
/** Delta sync of the calendars CanvasCal follows, for one user. */
export const CALENDAR_FOLLOW_JOB = 'calendar-follow';
/** Deletes the sync runs past their retention (`DEFAULT_SYNC_RUN_RETENTION`). */
export const SYNC_RUNS_PRUNE_JOB = 'sync-runs-prune';

/** Tries per sync job, the first included: the run is `failed` only when the last one fails. */
export const SYNC_JOB_ATTEMPTS = 4;

/** The queue's id for the job of one run: one run, one job, whoever adds it. */
export function userJobId(job: string, runId: string): string {
  return `${job}.${runId}`;
}

/**
 * What an enqueue found: the run's job was already on the queue (`held`), was not and is now
 * (`added`: a new run, or one whose job the queue lost, e.g. Redis wiped), or the queue has
 * already finished it (`finished`: a run still queued after that is orphaned).
 */
export type EnqueueOutcome = 'held' | 'added' | 'finished';

/**
 * Adds a user's sync or follow job: both kinds share the user's group key, so one job per
 * user runs at a time and a calendar follow never reads the app calendar halfway through a
 * Canvas sync writing it. Idempotent per run (the job id is the run's), so it is also how a
 * joined run is checked to still have its job. An unreachable queue is a 503 the caller can show.
 */
export function userJobEnqueuer(queue: Pick<Queue, 'add' | 'getJob'>, backoffMs: number) {
  return (job: string) =>
    async (userId: string, runId: string): Promise<EnqueueOutcome> => {
      const jobId = userJobId(job, runId);
      try {
        const held = await queue.getJob(jobId);
        if (held) return held.state === 'completed' || held.state === 'failed' ? 'finished' : 'held';
        await queue.add(
          job,
          { userId, runId },
          { groupKey: userId, attempts: SYNC_JOB_ATTEMPTS, backoffMs, jobId },
        );
        return 'added';
      } catch (error) {
        if (error instanceof QueueUnavailableError) {
          throw new AppError('queue_unavailable', 'The job queue is unreachable; try again shortly.', 503, {
            cause: error,
          });
        }
        throw error;
      }
    };
}

export interface CanvasSyncPayload {
  userId: string;
  runId: string;
}

/** The one thing the sync jobs need from the queue: to add a job for a user. */
export type EnqueueCanvasSync = (payload: CanvasSyncPayload) => Promise<unknown>;

/**
 * The periodic job as it was before `scheduleDueRuns` (kept as the benchmark's baseline):
 * one sync for every user whose Google connection is live, one user at a time. Users with a
 * queued or running sync join it instead of getting a second one, so a slow sync and the
 * next tick never pile up. Returns how many runs were started.
 */
export async function enqueueSyncForEveryone(deps: {
  connections: GoogleConnectionsRepo;
  runs: SyncRunsRepo;
  enqueue: EnqueueCanvasSync;
  /** The run kind: `canvas` (default) or `calendars`. */
  kind?: string;
  /** Whether this user can be synced now (e.g. Canvas is connected); others are skipped, not failed. */
  eligible?: (userId: string) => Promise<boolean>;
}): Promise<{ started: number; joined: number; skipped: number }> {
  let started = 0;
  let joined = 0;
  let skipped = 0;
  for (const userId of await deps.connections.listConnectedUserIds()) {
    // A user who must reconnect Canvas gets no failed run every tick, only their status.
    if (deps.eligible && !(await deps.eligible(userId))) {
      skipped += 1;
      continue;
    }
    const { run, joined: wasJoined } = await deps.runs.createOrJoin(userId, deps.kind ?? 'canvas');
    if (wasJoined) {
      joined += 1;
      continue;
    }
    await deps.enqueue({ userId, runId: run.id });
    started += 1;
  }
  return { started, joined, skipped };
}
