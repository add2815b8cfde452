import type { Logger } from 'pino';
import type { SyncRunsRepo } from '../db/sync-runs-repo.ts';
import type { EnqueueOutcome } from './canvas-sync-jobs.ts';

export interface LostJobsDeps {
  runs: Pick<SyncRunsRepo, 'listQueued' | 'listRunning' | 'finishIfStill'>;
  /** The idempotent enqueue of each run kind (`canvas`, `calendars`). */
  enqueue: Record<string, (userId: string, runId: string) => Promise<EnqueueOutcome>>;
  logger: Logger;
  now?: () => number;
  /** How old a run must be before it is checked (default LOST_JOB_GRACE_MS). */
  graceMs?: number;
}

/** A run younger than this is left alone: its add may still be on its way. */
export const LOST_JOB_GRACE_MS = 30_000;

const NEVER_STARTED = 'This run never started (its job ended without it). Start a new sync.';
const NEVER_FINISHED =
  'This run stopped before it finished (its job ended without it). What it wrote is kept; start a new sync.';

/**
 * Finds queued and running runs whose job the queue no longer holds (Redis restarted without
 * its data, or was wiped, maybe while a worker ran the job or died in it) and adds the job
 * again: the sync is idempotent, so running it again only finishes what was left. A run whose
 * job the queue already ended without it (e.g. a job that stalled too often) is failed.
 * Idempotent: a run whose job is there is left alone. Returns what it did.
 */
export async function requeueLostJobs(deps: LostJobsDeps): Promise<{ requeued: number; failed: number }> {
  const before = new Date((deps.now ?? Date.now)() - (deps.graceMs ?? LOST_JOB_GRACE_MS));
  let requeued = 0;
  let failed = 0;
  const queued = (await deps.runs.listQueued(before)).map((run) => ({ ...run, was: 'queued' as const }));
  const running = (await deps.runs.listRunning(before)).map((run) => ({ ...run, was: 'running' as const }));
  for (const run of [...queued, ...running]) {
    const enqueue = deps.enqueue[run.kind];
    if (!enqueue) continue;
    const outcome = await enqueue(run.userId, run.id);
    if (outcome === 'added') {
      requeued += 1;
      deps.logger.warn(
        { runId: run.id, userId: run.userId, kind: run.kind, status: run.was },
        "the queue had lost this run's job; queued it again",
      );
    } else if (outcome === 'finished') {
      // Its job may have just ended it (a run is finished before its job completes): only a
      // run still as it was listed is failed.
      const ended = await deps.runs.finishIfStill(run.id, run.was, {
        status: 'failed',
        counts: {},
        googleCalls: 0,
        errorCode: 'interrupted',
        errorMessage: run.was === 'queued' ? NEVER_STARTED : NEVER_FINISHED,
      });
      if (!ended) continue;
      failed += 1;
      deps.logger.warn(
        { runId: run.id, userId: run.userId, status: run.was },
        `failed a ${run.was} run whose job had ended`,
      );
    }
  }
  return { requeued, failed };
}
