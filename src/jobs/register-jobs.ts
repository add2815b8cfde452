import type { Logger } from 'pino';
import type { CanvasAccount } from '../accounts/canvas-account.ts';
import { canvasSourceFor } from '../accounts/canvas-source.ts';
import { createCanvasClient } from '../canvas/canvas-client.ts';
import { createCanvasPageCache } from '../canvas/canvas-page-cache.ts';
import type { Config } from '../config.ts';
import type { CalendarCacheRepo } from '../db/calendar-cache-repo.ts';
import type { CanvasConnectionsRepo } from '../db/canvas-connections-repo.ts';
import type { DeadlinesRepo } from '../db/deadlines-repo.ts';
import type { EventMappingsRepo } from '../db/event-mappings-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { SyncRunsRepo } from '../db/sync-runs-repo.ts';
import type { UsersRepo } from '../db/users-repo.ts';
import type { GoogleSetup } from '../google/google-setup.ts';
import { QuotaWaitError } from '../google/request-budget.ts';
import type { Metrics } from '../metrics.ts';
import { type JobHandler, PermanentJobError, type Queue, RateLimitedJobError } from '../queue/queue.ts';
import { isPermanentSyncFailure, runCanvasSync, type SyncSummary } from '../sync/canvas-sync.ts';
import { CALENDAR_RUN_KIND, type FollowOutcome, runCalendarFollow } from '../sync/follow-calendars.ts';
import {
  CALENDAR_FOLLOW_JOB,
  CANVAS_SYNC_ALL_JOB,
  CANVAS_SYNC_JOB,
  type EnqueueOutcome,
  SYNC_JOB_ATTEMPTS,
  SYNC_RUNS_PRUNE_JOB,
} from './canvas-sync-jobs.ts';
import { loggedJob } from './job-log.ts';
import { requeueLostJobs } from './lost-jobs.ts';
import { SCHEDULER_TICK_MS, scheduleDueRuns } from './periodic-schedule.ts';

// Pruning is cheap when there is little to prune, so hourly keeps the table near its bound.
const SYNC_RUNS_PRUNE_EVERY_MS = 60 * 60_000;

export interface JobDeps {
  queue: Queue;
  config: Pick<Config, 'workerConcurrency' | 'syncIntervalMinutes' | 'googleBatchesInFlight'>;
  logger: Logger;
  google: GoogleSetup | undefined;
  runs: SyncRunsRepo;
  users: UsersRepo;
  mappings: EventMappingsRepo;
  deadlines: DeadlinesRepo;
  calendarCache: CalendarCacheRepo;
  googleConnections: GoogleConnectionsRepo;
  canvasConnections: CanvasConnectionsRepo;
  canvasAccount: CanvasAccount;
  enqueueCanvasSync(userId: string, runId: string): Promise<EnqueueOutcome>;
  enqueueCalendarFollow(userId: string, runId: string): Promise<EnqueueOutcome>;
  /**
   * How often queued runs are checked for a job the queue lost (default 60 s; 0: never).
   * On a shared queue the periodic schedule is put back at the same time (Redis may have
   * lost it too).
   */
  lostJobCheckMs?: number;
  /** How old a queued or running run must be before that check touches it (default 30 s). */
  lostJobGraceMs?: number;
  sharedQueue?: boolean;
  /** After a Canvas sync succeeded (it may have just created the app calendar, to watch). */
  afterCanvasSync?(userId: string, summary: SyncSummary): Promise<void>;
  /** After a calendar follow succeeded (the study plan re-plans when busy time changed). */
  afterCalendarFollow?(userId: string, outcome: FollowOutcome): Promise<void>;
  /** Where job durations go (`canvascal_job_duration_seconds`). */
  metrics?: Metrics;
  /** First backoff between retry rounds of failed Google writes (doubling). */
  googleRetryBaseMs: number;
  /**
   * First pause between tries of one Canvas request (default 1 s, doubling, as the Canvas
   * client backs off); tests shrink it, and every pause the client takes shrinks alike.
   */
  canvasRetryBaseMs?: number;
  /** How Canvas is reached: in production, a fetch that connects only to public addresses. */
  canvasFetch?: typeof fetch;
  /** First retry delay of a periodic sync job (default 30 s, as for one the student starts). */
  jobBackoffMs?: number;
  /** The scheduler's clock (default Date.now); tests fake it. */
  now?: () => number;
}

// The Canvas client's first pause between tries of a request.
const CANVAS_CLIENT_BASE_MS = 1000;

/**
 * The worker side of a process: the Canvas sync and calendar follow handlers, the periodic
 * tick that schedules both for every connected user, and the check for runs whose job the
 * queue lost. Resolves to a function that stops that check.
 */
export async function registerJobs(deps: JobDeps): Promise<() => Promise<void>> {
  const { queue, config, logger, google } = deps;
  // Canvas pages kept for conditional requests: an unchanged planner answers 304 (issue 18).
  const canvasPages = createCanvasPageCache();
  const logged = <P>(name: string, attempts: number, handler: JobHandler<P>) =>
    loggedJob(name, handler, { logger, metrics: deps.metrics, attempts });
  // A student who deleted their data (DELETE /me) may still have a sync queued, or one that
  // failed on the rows vanishing and waits for its retry: it ends there, quietly.
  const forExistingUser =
    <P extends { userId: string }>(handler: JobHandler<P>): JobHandler<P> =>
    async (payload, context) => {
      if (await deps.users.get(payload.userId)) return handler(payload, context);
      logger.info(
        { userId: payload.userId, job: context.name },
        'job skipped: the student deleted their data',
      );
      return undefined;
    };
  const canvasScale = (deps.canvasRetryBaseMs ?? CANVAS_CLIENT_BASE_MS) / CANVAS_CLIENT_BASE_MS;
  const canvasPauses =
    canvasScale === 1
      ? {}
      : {
          sleep: (ms: number) =>
            new Promise<void>((resolve) => setTimeout(resolve, Math.round(ms * canvasScale))),
        };
  if (google) {
    queue.process<{ userId: string; runId: string }>(
      CANVAS_SYNC_JOB,
      logged(
        CANVAS_SYNC_JOB,
        SYNC_JOB_ATTEMPTS,
        forExistingUser(async ({ userId, runId }, context) => {
          let summary: SyncSummary;
          try {
            summary = await runCanvasSync(
              {
                runs: deps.runs,
                users: deps.users,
                mappings: deps.mappings,
                deadlines: deps.deadlines,
                connections: deps.googleConnections,
                calendarCache: deps.calendarCache,
                canvasFor: (id) =>
                  canvasSourceFor(deps.canvasAccount, id, (credentials) =>
                    createCanvasClient({
                      ...credentials,
                      ...canvasPauses,
                      pages: canvasPages.scope(id),
                      ...(deps.canvasFetch ? { fetch: deps.canvasFetch } : {}),
                    }),
                  ),
                calendarFor: (id) => google.calendarFor(id),
                sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
                backoffMs: (attempt) =>
                  Math.round(deps.googleRetryBaseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)),
                canvasConnections: deps.canvasConnections,
                logger,
                batchesInFlight: config.googleBatchesInFlight,
                paced: google.paced,
              },
              userId,
              runId,
              { final: context.attempt >= SYNC_JOB_ATTEMPTS },
            );
          } catch (error) {
            throw forTheQueue(error);
          }
          await deps.afterCanvasSync?.(userId, summary);
        }),
      ),
      { concurrency: config.workerConcurrency },
    );
    queue.process<{ userId: string; runId: string }>(
      CALENDAR_FOLLOW_JOB,
      logged(
        CALENDAR_FOLLOW_JOB,
        SYNC_JOB_ATTEMPTS,
        forExistingUser(async ({ userId, runId }, context) => {
          let outcome: FollowOutcome;
          try {
            outcome = await runCalendarFollow(
              {
                runs: deps.runs,
                connections: deps.googleConnections,
                calendarFor: (id) => google.calendarFor(id),
                cache: deps.calendarCache,
                mappings: deps.mappings,
                deadlines: deps.deadlines,
              },
              userId,
              runId,
              { final: context.attempt >= SYNC_JOB_ATTEMPTS },
            );
          } catch (error) {
            throw forTheQueue(error);
          }
          await deps.afterCalendarFollow?.(userId, outcome);
        }),
      ),
      { concurrency: config.workerConcurrency },
    );
  }

  const tickMs = config.syncIntervalMinutes > 0 ? registerPeriodicSync(deps) : undefined;
  if (tickMs !== undefined) await queue.repeat(CANVAS_SYNC_ALL_JOB, {}, tickMs);
  queue.process(
    SYNC_RUNS_PRUNE_JOB,
    logged(SYNC_RUNS_PRUNE_JOB, 1, async () => {
      const deleted = await deps.runs.prune();
      if (deleted > 0) logger.info({ deleted }, 'pruned old sync runs');
    }),
  );
  await queue.repeat(SYNC_RUNS_PRUNE_JOB, {}, SYNC_RUNS_PRUNE_EVERY_MS);

  const checkMs = deps.lostJobCheckMs ?? 60_000;
  if (checkMs <= 0) return async () => {};
  let checking: Promise<void> | undefined;
  const check = async () => {
    const outcome = await requeueLostJobs({
      runs: deps.runs,
      enqueue: { canvas: deps.enqueueCanvasSync, [CALENDAR_RUN_KIND]: deps.enqueueCalendarFollow },
      logger,
      ...(deps.lostJobGraceMs !== undefined ? { graceMs: deps.lostJobGraceMs } : {}),
    });
    if (outcome.requeued + outcome.failed > 0) logger.warn(outcome, 'checked queued runs for lost jobs');
    if (deps.sharedQueue && tickMs !== undefined) await queue.repeat(CANVAS_SYNC_ALL_JOB, {}, tickMs);
    if (deps.sharedQueue) await queue.repeat(SYNC_RUNS_PRUNE_JOB, {}, SYNC_RUNS_PRUNE_EVERY_MS);
  };
  const timer = setInterval(() => {
    // One check at a time; an unreachable queue or database is logged and tried next time.
    checking ??= check()
      .catch((error: unknown) =>
        logger.warn(
          { cause: error instanceof Error ? error.message : String(error) },
          'could not check queued runs for lost jobs',
        ),
      )
      .finally(() => {
        checking = undefined;
      });
  }, checkMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await checking;
  };
}

/**
 * Canvas has no push for students: every connected user is synced once per period, and the
 * followed calendars are polled too (between pushes, and until webhooks are set up). The
 * tick runs once a minute across every worker and schedules that minute's slice of users.
 * Returns the tick interval.
 */
function registerPeriodicSync(deps: JobDeps): number {
  const { queue, config, logger } = deps;
  const periodMs = config.syncIntervalMinutes * 60_000;
  const scheduleDeps = { runs: deps.runs, queue, periodMs, backoffMs: deps.jobBackoffMs ?? 30_000 };
  queue.process(
    CANVAS_SYNC_ALL_JOB,
    loggedJob(
      CANVAS_SYNC_ALL_JOB,
      async () => {
        const now = (deps.now ?? Date.now)();
        const canvas = await scheduleDueRuns(
          scheduleDeps,
          { job: CANVAS_SYNC_JOB, kind: 'canvas', needsCanvas: true },
          now,
        );
        const calendars = await scheduleDueRuns(
          scheduleDeps,
          { job: CALENDAR_FOLLOW_JOB, kind: CALENDAR_RUN_KIND, needsCanvas: false },
          now,
        );
        logger.info({ canvas, calendars }, 'periodic sync scheduled');
      },
      { logger, metrics: deps.metrics, attempts: 1 },
    ),
  );
  return Math.min(SCHEDULER_TICK_MS, periodMs);
}

/** A dead grant, a missing connection, a bad Canvas token: retrying cannot help, so the job fails now. */
export function forTheQueue(error: unknown): unknown {
  // Google's quota is used up for now: the job waits it out, using no try; a little jitter
  // keeps the users who waited together from all starting again in the same second.
  if (error instanceof QuotaWaitError)
    return new RateLimitedJobError(error.retryAfterMs + Math.round(Math.random() * 1_000), error.message);
  return isPermanentSyncFailure(error)
    ? new PermanentJobError(error instanceof Error ? error.message : String(error), { cause: error })
    : error;
}
