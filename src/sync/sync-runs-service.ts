import type { DeadlinesRepo } from '../db/deadlines-repo.ts';
import type { SyncRun, SyncRunsRepo } from '../db/sync-runs-repo.ts';
import { AppError } from '../errors.ts';
import type { EnqueueOutcome } from '../jobs/canvas-sync-jobs.ts';

export type SyncKind = 'canvas' | 'calendars';

export interface SyncRunsServiceDeps {
  runs: SyncRunsRepo;
  deadlines: DeadlinesRepo;
  /**
   * Puts the run on the queue; rejects with a 503 AppError when the queue is unreachable.
   * Idempotent per run; `finished` when the queue already ended the run's job.
   */
  enqueueCanvasSync(userId: string, runId: string): Promise<EnqueueOutcome>;
  /** Puts a calendar follow (delta sync of the followed calendars) on the queue, likewise. */
  enqueueCalendarFollow(userId: string, runId: string): Promise<EnqueueOutcome>;
  /** Rejects (with a 409 AppError saying what to connect) when a run of `kind` cannot work now. */
  checkReady(userId: string, kind: SyncKind): Promise<void>;
  /** The student's own edits to our events (moved, deleted in Google), by source key. */
  userEdits(userId: string): Promise<Array<{ sourceKey: string; edit: 'moved' | 'deleted' }>>;
  /** Connection summaries for the status page. */
  status(userId: string): Promise<{
    google: { status: string; message?: string | undefined };
    canvas: {
      status: string;
      baseUrl?: string | undefined;
      tokenExpiresAt?: string | null | undefined;
      message?: string | undefined;
    };
    syncErrorCount: number;
  }>;
}

/** A sync run as the API and the LLM tools show it. */
export interface PresentedRun {
  id: string;
  kind: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  counts: Record<string, number>;
  /** While a run writes: how far it is, in words too ("1,200 of 2,000 written"). */
  progress: { written: number; toWrite: number; message: string } | null;
  googleCalls: number;
  error: { code: string; message: string } | null;
  notes: string[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/**
 * Starting and watching sync runs: the sync API and the `sync_now` / `sync_status` tools call
 * the same functions, so both refuse what cannot work and join a run already queued.
 */
export function createSyncRunsService(deps: SyncRunsServiceDeps) {
  const startRun = async (
    userId: string,
    kind: SyncKind,
    again: boolean,
  ): Promise<{ runId: string; status: string; joined: boolean }> => {
    // Say now what is missing, rather than accept a run that can only fail later.
    await deps.checkReady(userId, kind);
    const enqueue = kind === 'canvas' ? deps.enqueueCanvasSync : deps.enqueueCalendarFollow;
    const { run, joined } = await deps.runs.createOrJoin(userId, kind);
    if (joined) {
      // Joining promises the run will happen: the queue must still hold its job. A job lost
      // with Redis's data is added again; an unreachable queue is a 503, not a 202.
      const outcome = await enqueue(userId, run.id);
      if (outcome === 'finished' && !again) {
        // The queue ended the job without the run (it failed before it could start): this
        // run will never move, so it is failed and a new one takes its place.
        await deps.runs.finish(run.id, {
          status: 'failed',
          counts: {},
          googleCalls: 0,
          errorCode: 'interrupted',
          errorMessage: 'This run never started (its job ended without it); a new one was queued.',
        });
        return startRun(userId, kind, true);
      }
    } else {
      try {
        await enqueue(userId, run.id);
      } catch (error) {
        // The run must not sit "queued" forever when it never reached the queue.
        await deps.runs.finish(run.id, {
          status: 'failed',
          counts: {},
          googleCalls: 0,
          errorCode: 'queue_unavailable',
          errorMessage: 'The job queue was unreachable; nothing was synced. Try again shortly.',
        });
        if (error instanceof AppError) throw error;
        throw new AppError('queue_unavailable', 'The job queue is unreachable; try again shortly.', 503, {
          cause: error,
        });
      }
    }
    return { runId: run.id, status: run.status, joined };
  };

  return {
    /** A run of `kind`, or the one already queued or running, put on the queue once. */
    start: (userId: string, kind: SyncKind) => startRun(userId, kind, false),

    /** One of the user's runs; another user's run is undefined. */
    async run(userId: string, runId: string): Promise<PresentedRun | undefined> {
      const run = await deps.runs.get(userId, runId);
      return run ? presentRun(run) : undefined;
    },

    /** Connections, recent Canvas runs, the student's own edits and undated items. */
    async status(userId: string) {
      const [status, runs, deadlines, edits] = await Promise.all([
        deps.status(userId),
        deps.runs.latest(userId, 'canvas', 10),
        deps.deadlines.list(userId),
        deps.userEdits(userId),
      ]);
      const titles = new Map(deadlines.map((d) => [d.sourceKey, d.title]));
      return {
        ...status,
        lastRun: runs[0] ? presentRun(runs[0]) : null,
        recentRuns: runs.map(presentRun),
        userEdits: edits.map((e) => ({ ...e, title: titles.get(e.sourceKey) ?? e.sourceKey })),
        undated: deadlines
          .filter((d) => d.dueAt === null)
          .map((d) => ({
            sourceKey: d.sourceKey,
            title: d.title,
            courseName: d.courseName,
            htmlUrl: d.htmlUrl,
          })),
      };
    },
  };
}

export type SyncRunsService = ReturnType<typeof createSyncRunsService>;

export function presentRun(run: SyncRun): PresentedRun {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    counts: run.counts,
    progress: progressOf(run),
    googleCalls: run.googleCalls,
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? run.errorCode } : null,
    notes: run.notes,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

const number = new Intl.NumberFormat('en-US');

function progressOf(run: SyncRun): PresentedRun['progress'] {
  const { written, toWrite, waitingUntil } = run.counts;
  if (run.status !== 'running' || written === undefined || toWrite === undefined) return null;
  const wait =
    waitingUntil !== undefined
      ? `; waiting for Google's request quota, continuing at ${new Date(waitingUntil).toISOString()}`
      : '';
  return {
    written,
    toWrite,
    message: `${number.format(written)} of ${number.format(toWrite)} written${wait}`,
  };
}
