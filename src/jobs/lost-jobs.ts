import type { Logger } from 'pino';
import type { SyncRunsRepo } from '../db/sync-runs-repo.ts';
import type { EnqueueOutcome } from './canvas-sync-jobs.ts';

export interface LostJobsDeps {
  runs: Pick<SyncRunsRepo, 'listQueued' | 'finish'>;
  /** The idempotent enqueue of each run kind (`canvas`, `calendars`). */
  enqueue: Record<string, (userId: string, runId: string) => Promise<EnqueueOutcome>>;
  logger: Logger;
  now?: () => number;
}

/** A queued run younger than this is left alone: its add may still be on its way. */
export const LOST_JOB_GRACE_MS = 30_000;

/**
 * Finds queued runs whose job the queue no longer holds (Redis restarted without its data,
 * or was wiped) and adds the job again; a run whose job the queue already ended without it
 * is failed. Idempotent: a run whose job is there is left alone. Returns what it did.
 */
export async function requeueLostJobs(deps: LostJobsDeps): Promise<{ requeued: number; failed: number }> {
  const now = (deps.now ?? Date.now)();
  let requeued = 0;
  let failed = 0;
  for (const run of await deps.runs.listQueued(new Date(now - LOST_JOB_GRACE_MS))) {
    const enqueue = deps.enqueue[run.kind];
    if (!enqueue) continue;
    const outcome = await enqueue(run.userId, run.id);
    if (outcome === 'added') {
      requeued += 1;
      deps.logger.warn(
        { runId: run.id, userId: run.userId, kind: run.kind },
        "the queue had lost this run's job; queued it again",
      );
    } else if (outcome === 'finished') {
      failed += 1;
      await deps.runs.finish(run.id, {
        status: 'failed',
        counts: {},
        googleCalls: 0,
        errorCode: 'interrupted',
        errorMessage: 'This run never started (its job ended without it). Start a new sync.',
      });
      deps.logger.warn({ runId: run.id, userId: run.userId }, 'failed a queued run whose job had ended');
    }
  }
  return { requeued, failed };
}
