import type { Logger } from 'pino';
import type { CalendarCacheRepo } from '../db/calendar-cache-repo.ts';
import type { CanvasConnectionsRepo } from '../db/canvas-connections-repo.ts';
import type { DeadlinesRepo, DeadlineWrites } from '../db/deadlines-repo.ts';
import type { EventMappingsRepo } from '../db/event-mappings-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { RunProgress, SyncRunsRepo } from '../db/sync-runs-repo.ts';
import { PLACEHOLDER_TIME_ZONE, type UsersRepo } from '../db/users-repo.ts';
import { AppError } from '../errors.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { QuotaWaitError } from '../google/request-budget.ts';
import { SCOPES } from '../google/scopes.ts';
import { isTimeZone } from '../time-zone.ts';
import { ensureAppCalendar, forgetAppCalendar } from './app-calendar.ts';
import { type ApplyCounts, applyPlan } from './apply-plan.ts';
import { desiredEventFor } from './desired-events.ts';
import { planSync } from './diff.ts';
import type { DueItemsSource } from './due-items-source.ts';
import type { SourceItem } from './source-item.ts';

export interface CanvasSyncDeps {
  runs: SyncRunsRepo;
  users: UsersRepo;
  mappings: EventMappingsRepo;
  deadlines: DeadlinesRepo;
  connections: GoogleConnectionsRepo;
  /** The follow's record of each calendar (the app calendar's zone), read instead of asking Google. */
  calendarCache: Pick<CalendarCacheRepo, 'state' | 'noteTimeZone'>;
  /** Canvas for this user; throws AppError `canvas_not_connected` when there is none. */
  canvasFor(userId: string): Promise<DueItemsSource>;
  /** A fresh Google client for this user, counting its own requests. */
  calendarFor(userId: string): CalendarApi;
  sleep(ms: number): Promise<void>;
  backoffMs(attempt: number): number;
  /** Marked "reconnect needed" when Canvas refuses the token, before the run is recorded as failed. */
  canvasConnections: Pick<CanvasConnectionsRepo, 'markReconnectNeeded'>;
  logger: Logger;
  /** The clock that tells a past deadline from a future one (default Date.now). */
  now?: () => number;
  /** Batches of writes in flight at once (default 1). */
  batchesInFlight?: number;
  /**
   * Whether `calendarFor`'s clients are paced by a request budget: then writes Google refused
   * for its rate wait for the budget and are never given up on (the job waits instead).
   */
  paced?: boolean;
}

/** Whether the queue will try this run again after the failure at hand. */
export interface SyncAttempt {
  /** No try is left after this one: a failure now is the run's outcome. */
  final: boolean;
}

/** A failure that retrying cannot fix (the user must reconnect or change something). */
export class PermanentSyncError extends AppError {}

export interface SyncSummary {
  counts: ApplyCounts & { undated: number };
  /** What the student should know about a complete read (a course that hid its assignments). */
  notes: string[];
  googleCalls: number;
  /** Deadline rows this sync inserted, changed or removed (none when Canvas changed nothing). */
  deadlineWrites: DeadlineWrites;
  calendarId: string | undefined;
}

/**
 * One Canvas → Google sync for one user, recorded in `sync_runs`. Reads Canvas first and
 * writes nothing to Google unless that read was complete; then creates (or recreates) the
 * app's calendar, diffs desired events against what was last written, and applies only the
 * differences. Throws after recording the failure, so the queue can decide on a retry: a
 * failure that will be retried leaves the run `running` with the last error, and only the
 * last try (or a permanent failure) makes it `failed` and counts in `sync_error_count`.
 */
export async function runCanvasSync(
  deps: CanvasSyncDeps,
  userId: string,
  runId: string,
  attempt: SyncAttempt = { final: true },
): Promise<SyncSummary> {
  await deps.runs.markRunning(runId);
  const api = deps.calendarFor(userId);
  const zero: SyncSummary['counts'] = {
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    failed: 0,
    undated: 0,
  };
  // A try after a quota wait carries on the count of what the earlier tries wrote.
  const before = (await deps.runs.get(userId, runId))?.counts ?? {};
  const earlier = before.written ?? 0;
  const carried = {
    created: before.created ?? 0,
    updated: before.updated ?? 0,
    deleted: before.deleted ?? 0,
  };
  let progress: RunProgress = { written: earlier, toWrite: earlier, ...carried };
  const report = async (settled: number, total: number, counts: Readonly<ApplyCounts>) => {
    progress = {
      written: earlier + settled,
      toWrite: earlier + total,
      created: carried.created + counts.created,
      updated: carried.updated + counts.updated,
      deleted: carried.deleted + counts.deleted,
    };
    await deps.runs.noteProgress(runId, progress);
  };
  try {
    const summary = withEarlierTries(await syncOnce(deps, api, userId, report), carried);
    const failed = summary.counts.failed > 0;
    await deps.runs.finish(runId, {
      status: failed ? 'failed' : 'succeeded',
      counts: summary.counts,
      googleCalls: summary.googleCalls,
      notes: summary.notes,
      ...(failed
        ? {
            errorCode: 'partial',
            errorMessage: `${summary.counts.failed} item(s) could not be written to Google; they will be retried on the next sync.`,
          }
        : {}),
    });
    await deps.users.recordSyncOutcome(userId, !failed);
    return summary;
  } catch (error) {
    if (error instanceof QuotaWaitError) {
      // Not a failure: the queue delays the job, using no try, and the run shows it waiting.
      const now = (deps.now ?? Date.now)();
      await deps.runs.noteProgress(runId, { ...progress, waitingUntil: now + error.retryAfterMs });
      throw error;
    }
    const { code, message } = describeSyncFailure(error);
    const retried = !attempt.final && !isPermanentSyncFailure(error);
    deps.logger.warn({ userId, runId, errorCode: code, retried }, 'canvas sync failed');
    if (retried) {
      // Not failed yet: the student sees the run still going, and why the last try did not finish.
      await deps.runs.noteRetry(runId, {
        errorCode: code,
        errorMessage: message,
        googleCalls: api.requestCount,
      });
      throw error;
    }
    // Whoever reads the failed run must already see why on the connection.
    if (code === 'canvas_token_invalid')
      await deps.canvasConnections.markReconnectNeeded(
        userId,
        'Canvas says the access token is invalid or expired',
      );
    await deps.runs.finish(runId, {
      status: 'failed',
      counts: zero,
      googleCalls: api.requestCount,
      errorCode: code,
      errorMessage: message,
    });
    await deps.users.recordSyncOutcome(userId, false);
    throw error;
  }
}

/**
 * The run's counts, not only its last try's: what earlier tries (before a quota wait) wrote,
 * this try found already written (unchanged).
 */
function withEarlierTries(
  summary: SyncSummary,
  carried: Pick<ApplyCounts, 'created' | 'updated' | 'deleted'>,
): SyncSummary {
  const { counts } = summary;
  return {
    ...summary,
    counts: {
      ...counts,
      created: counts.created + carried.created,
      updated: counts.updated + carried.updated,
      deleted: counts.deleted + carried.deleted,
      unchanged: Math.max(0, counts.unchanged - carried.created - carried.updated),
    },
  };
}

async function syncOnce(
  deps: CanvasSyncDeps,
  api: CalendarApi,
  userId: string,
  onProgress: (settled: number, total: number, counts: Readonly<ApplyCounts>) => Promise<void>,
): Promise<SyncSummary> {
  const canvas = await deps.canvasFor(userId);
  const read = await canvas.readDueItems();
  if (!read.complete) {
    // Nothing is written, least of all deletions: an incomplete list is not "these vanished".
    const permanent = ['token_invalid', 'forbidden', 'not_canvas'].includes(read.failure.code);
    const Failure = permanent ? PermanentSyncError : AppError;
    throw new Failure(
      `canvas_${read.failure.code}`,
      `Canvas could not be read completely: ${read.failure.message}. Your calendar was left as it was.`,
      502,
    );
  }
  const connection = await deps.connections.get(userId);
  if (connection?.status !== 'connected') {
    throw new PermanentSyncError('google_not_connected', 'Connect your Google account before syncing.', 409);
  }
  const timeZone = await studentTimeZone(deps, api, userId, canvas, connection.grantedScopes);
  const appCalendar = {
    userId,
    appCalendarId: connection.appCalendarId,
    grantedScopes: connection.grantedScopes,
    appCalendarUnsureSince: connection.appCalendarUnsureSince,
  };
  let calendarId = await ensureAppCalendar(deps, api, appCalendar, timeZone);

  const desired = read.items.map((item) =>
    desiredEventFor(item, { userId, canvasHost: canvas.host, timeZone }),
  );
  // A course that hides its assignments tab still has them: what we already had for it
  // stays on the calendar and in the deadlines until the tab is shown again.
  const hidden = new Set((read.notices ?? []).map((notice) => notice.courseId));
  // A course missing from a complete read has ended (Canvas lists active enrollments only), or
  // the student left it: its past deadlines stay as history, its future ones go.
  // A course still listed keeps nothing Canvas deleted, even when it has no item left.
  const present = new Set(read.courseIds ?? [...read.items, ...read.undated].map((item) => item.courseId));
  const now = (deps.now ?? Date.now)();
  const kept = (await deps.deadlines.list(userId)).filter(
    (d) =>
      d.courseId !== null &&
      ((hidden.has(d.courseId) && ['assignment', 'quiz', 'discussion'].includes(d.kind)) ||
        (!hidden.has(d.courseId) &&
          !present.has(d.courseId) &&
          d.dueAt !== null &&
          d.dueAt.getTime() <= now)),
  );
  const keep = new Set(kept.map((d) => d.sourceKey));
  const write = async (calendarId: string) =>
    applyPlan(
      api,
      calendarId,
      planSync(desired, await deps.mappings.list(userId, calendarId), { deleteMissing: true, keep }),
      {
        commit: (changes) => deps.mappings.apply(userId, changes),
        sleep: deps.sleep,
        backoffMs: deps.backoffMs,
        concurrency: deps.batchesInFlight ?? 1,
        ...(deps.paced ? { rateLimitRounds: Number.POSITIVE_INFINITY } : {}),
        onProgress,
      },
    );
  let outcome = await write(calendarId);
  // Only a calendar that is gone answers 404 to an insert (a patch of a missing event falls back
  // to one, a delete of one is done): the student deleted it since the last follow. It is
  // recreated now, with every event, rather than asked after on every sync.
  if (outcome.failures.some((failure) => failure.status === 404)) {
    await forgetAppCalendar(deps, userId, calendarId);
    calendarId = await ensureAppCalendar(deps, api, { ...appCalendar, appCalendarId: null }, timeZone);
    const gone = outcome.counts.deleted;
    outcome = await write(calendarId);
    outcome.counts.deleted += gone;
  }
  const readKeys = new Set([...read.items, ...read.undated].map((item) => item.key));
  const deadlineWrites = await deps.deadlines.replaceAll(userId, [
    ...read.items.map((item) => toDeadline(item, new Date(item.dueAt))),
    ...read.undated.map((item) => toDeadline(item, null)),
    ...kept.filter((d) => !readKeys.has(d.sourceKey)).map(({ effortMinutes: _e, ...d }) => d),
  ]);
  return {
    counts: { ...outcome.counts, undated: read.undated.length },
    googleCalls: api.requestCount,
    deadlineWrites,
    calendarId,
    notes: (read.notices ?? []).map((notice) => notice.message),
  };
}

/**
 * The zone deadlines are written in: the one the student chose, else the one their accounts
 * say (Google's primary calendar when the grant may read the calendar list, else Canvas),
 * taken once while the profile still has its placeholder zone.
 */
async function studentTimeZone(
  deps: CanvasSyncDeps,
  api: CalendarApi,
  userId: string,
  canvas: DueItemsSource,
  grantedScopes: readonly string[],
): Promise<string> {
  const profile = await deps.users.getTimeZone(userId);
  const current = profile?.timeZone ?? PLACEHOLDER_TIME_ZONE;
  if (!profile || profile.chosen || current !== PLACEHOLDER_TIME_ZONE) return current;
  const valid = (zone: string | undefined) => (zone !== undefined && isTimeZone(zone) ? zone : undefined);
  // Canvas is asked only when Google cannot say.
  const found =
    valid(grantedScopes.includes(SCOPES.calendarListReadonly) ? await primaryCalendarZone(api) : undefined) ??
    valid(await canvas.timeZone?.());
  if (!found || found === current) return current;
  if (await deps.users.adoptTimeZone(userId, found)) {
    deps.logger.info({ userId, timeZone: found }, "took the student's time zone from their accounts");
    return found;
  }
  // The student chose a zone meanwhile: theirs wins.
  return (await deps.users.getTimeZone(userId))?.timeZone ?? current;
}

/** The primary calendar's zone from the calendar list; undefined when Google will not say. */
async function primaryCalendarZone(api: CalendarApi): Promise<string | undefined> {
  let pageToken: string | undefined;
  try {
    for (let page = 0; page < 20; page++) {
      const list = await api.listCalendars({ maxResults: 250, ...(pageToken ? { pageToken } : {}) });
      const primary = list.items.find((entry) => entry.primary);
      if (primary) return primary.timeZone;
      pageToken = list.nextPageToken;
      if (!pageToken) return undefined;
    }
  } catch (error) {
    // A refused listing (scope withdrawn) falls back to Canvas; a dead grant or an outage does not.
    if (error instanceof GoogleApiError && error.kind !== 'auth' && !error.retryable) return undefined;
    throw error;
  }
  return undefined;
}

function toDeadline(
  item: Omit<SourceItem, 'dueAt'>,
  dueAt: Date | null,
): Parameters<DeadlinesRepo['replaceAll']>[1][number] {
  return {
    sourceKey: item.key,
    kind: item.kind,
    courseId: item.courseId,
    courseName: item.courseName,
    title: item.title,
    dueAt,
    allDay: item.allDay,
    allDayDate: item.allDayDate,
    pointsPossible: item.pointsPossible,
    submitted: item.submitted,
    htmlUrl: item.htmlUrl,
  };
}

/** A dead grant, a missing connection, a bad Canvas token: retrying cannot help. */
export function isPermanentSyncFailure(error: unknown): boolean {
  return (
    error instanceof PermanentSyncError ||
    (error instanceof AppError && error.status < 500 && error.status !== 429) ||
    (error instanceof GoogleApiError && !error.retryable)
  );
}

/** A failed run in words the student can act on; never a provider internal or a secret. */
export function describeSyncFailure(error: unknown): { code: string; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  if (error instanceof GoogleApiError) {
    if (error.kind === 'auth')
      return {
        code: 'google_reconnect_needed',
        message: "Google rejected CanvasCal's access; connect Google again.",
      };
    if (error.retryable)
      return {
        code: 'google_unavailable',
        message: 'Google is busy or unavailable; the sync will be retried.',
      };
    return { code: 'google_error', message: `Google refused a request (${error.reason ?? error.status}).` };
  }
  return {
    code: 'internal',
    message: 'The sync failed on our side; it has been logged and will be retried.',
  };
}
