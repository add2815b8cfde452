import type { CalendarCacheRepo } from '../db/calendar-cache-repo.ts';
import type { DeadlinesRepo } from '../db/deadlines-repo.ts';
import type { EventMappingsRepo } from '../db/event-mappings-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { SyncRunsRepo } from '../db/sync-runs-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import {
  type CalendarToFollow,
  type DeltaSyncResult,
  type SyncCalendarOptions,
  syncCalendar,
} from '../google/delta-sync.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { featuresFor } from '../google/scopes.ts';
import { forgetAppCalendar } from './app-calendar.ts';
import { describeSyncFailure, isPermanentSyncFailure, type SyncAttempt } from './canvas-sync.ts';
import { detectUserEdits, type WrittenDeadline } from './user-edits.ts';

export interface FollowCalendarsDeps {
  connections: Pick<GoogleConnectionsRepo, 'get' | 'forgetAppCalendar'>;
  calendarFor(userId: string): CalendarApi;
  cache: CalendarCacheRepo;
  mappings: Pick<EventMappingsRepo, 'list' | 'clearCalendar'>;
  deadlines: Pick<DeadlinesRepo, 'list'>;
  now?: () => number;
  /** Follow only these of the calendars (a push notification names one); default all. */
  only?: readonly string[];
}

export interface FollowOutcome {
  /** Per calendar followed: how it was synced. */
  calendars: Array<
    { calendarId: string; role: CalendarToFollow['role'] } & Omit<DeltaSyncResult, 'events' | 'userEdits'>
  >;
  /** The student's edits to our events found in this run. */
  userEdits: { moved: number; deleted: number };
  googleCalls: number;
  /** Why a calendar was not followed (a scope not granted, no app calendar yet). */
  skipped: string[];
}

/**
 * Brings the event cache of every calendar CanvasCal follows up to date: the app's own
 * calendar (so the student's edits to our events are seen) and, when the student granted
 * `calendar.events.owned.readonly`, their primary calendar. Each calendar syncs
 * incrementally from its stored token (a 410 recovers with a full sync in one unit). Edits
 * to our events are recorded on their mappings, for the sync and the planner, in the same
 * transaction as the token that revealed them: a failed follow records nothing and its
 * retry records everything, once.
 */
export async function followCalendars(deps: FollowCalendarsDeps, userId: string): Promise<FollowOutcome> {
  const connection = await deps.connections.get(userId);
  const outcome: FollowOutcome = {
    calendars: [],
    userEdits: { moved: 0, deleted: 0 },
    googleCalls: 0,
    skipped: [],
  };
  if (connection?.status !== 'connected') {
    outcome.skipped.push('Google is not connected');
    return outcome;
  }
  const features = featuresFor(connection.grantedScopes);
  const follow: CalendarToFollow[] = [];
  if (connection.appCalendarId) {
    follow.push({ calendarId: connection.appCalendarId, role: 'app', timeZone: 'UTC' });
  } else {
    outcome.skipped.push('the CanvasCal calendar does not exist yet (it is created by the first sync)');
  }
  if (features.primaryCalendarSync) follow.push({ calendarId: 'primary', role: 'primary', timeZone: 'UTC' });
  else outcome.skipped.push('reading the primary calendar was not granted (calendar.events.owned.readonly)');

  const api = deps.calendarFor(userId);
  const now = new Date((deps.now ?? Date.now)());
  const only = deps.only;
  for (const calendar of only ? follow.filter((c) => only.includes(c.calendarId)) : follow) {
    // The zone the calendar last told us (a full sync reads it from the listing itself).
    const known = await deps.cache.state(userId, calendar.calendarId);
    const target = { ...calendar, timeZone: known?.timeZone ?? calendar.timeZone };
    const options = calendar.role === 'app' ? await userEditsOf(deps, userId, calendar.calendarId, now) : {};
    let synced: DeltaSyncResult;
    try {
      synced = await syncCalendar(api, deps.cache, userId, target, options);
    } catch (error) {
      // The student deleted the CanvasCal calendar: forgotten here, so the next Canvas sync
      // recreates it without asking Google first whether it still exists.
      if (!(calendar.role === 'app' && error instanceof GoogleApiError && error.kind === 'not_found'))
        throw error;
      await forgetAppCalendar(deps, userId, calendar.calendarId);
      outcome.skipped.push('the CanvasCal calendar was deleted in Google (the next sync recreates it)');
      continue;
    }
    const { events: _events, userEdits, ...result } = synced;
    outcome.calendars.push({ calendarId: calendar.calendarId, role: calendar.role, ...result });
    for (const edit of userEdits) outcome.userEdits[edit.edit] += 1;
  }
  outcome.googleCalls = api.requestCount;
  return outcome;
}

/**
 * Finds the student's edits to our events in a listing of the app calendar. An incremental
 * listing shows them as changes (a tombstone, a new time). A full listing (the first, or
 * after a 410) has no tombstones: an event we wrote that it lacks was deleted by the student.
 */
async function userEditsOf(
  deps: FollowCalendarsDeps,
  userId: string,
  calendarId: string,
  at: Date,
): Promise<SyncCalendarOptions> {
  // Read before the listing: an event mapped now was in Google before the listing began.
  const mappings = await deps.mappings.list(userId, calendarId);
  // An edit already recorded is not news; the mark stays until our next write clears it.
  const unmarked = new Map(mappings.filter((m) => !m.userEdit).map((m) => [m.googleEventId, m.sourceKey]));
  return {
    async userEditsIn({ mode, events, timeZone }) {
      const written = new Map<string, WrittenDeadline>(
        (await deps.deadlines.list(userId)).map((d) => [d.sourceKey, d]),
      );
      const edits = detectUserEdits(events, written, new Set(unmarked.keys()), timeZone);
      if (mode === 'full') {
        const listed = new Set(events.map((e) => e.id));
        for (const [googleEventId, sourceKey] of unmarked)
          if (!listed.has(googleEventId)) edits.push({ googleEventId, sourceKey, edit: 'deleted' });
      }
      return edits.map((e) => ({ googleEventId: e.googleEventId, edit: e.edit, at }));
    },
  };
}

/** The run kind of a calendar follow in `sync_runs`. */
export const CALENDAR_RUN_KIND = 'calendars';

/**
 * One follow, recorded in `sync_runs` (counts, Google calls, the failure in words).
 * Throws after recording a failure, so the queue can decide on a retry: as with the Canvas
 * sync, a failure that will be retried leaves the run `running` with the last error, and
 * only the last try (or a permanent failure) makes it `failed`.
 */
export async function runCalendarFollow(
  deps: FollowCalendarsDeps & { runs: SyncRunsRepo },
  userId: string,
  runId: string,
  attempt: SyncAttempt = { final: true },
): Promise<FollowOutcome> {
  await deps.runs.markRunning(runId);
  try {
    const outcome = await followCalendars(deps, userId);
    const sum = (pick: (c: FollowOutcome['calendars'][number]) => number) =>
      outcome.calendars.reduce((n, c) => n + pick(c), 0);
    await deps.runs.finish(runId, {
      status: 'succeeded',
      counts: {
        calendars: outcome.calendars.length,
        fullSyncs: outcome.calendars.filter((c) => c.mode === 'full').length,
        recovered: outcome.calendars.filter((c) => c.recovered).length,
        pages: sum((c) => c.pages),
        upserts: sum((c) => c.upserts),
        removals: sum((c) => c.removals),
        movedByUser: outcome.userEdits.moved,
        deletedByUser: outcome.userEdits.deleted,
      },
      googleCalls: outcome.googleCalls,
    });
    return outcome;
  } catch (error) {
    const { code, message } = describeSyncFailure(error);
    const errorMessage = message.replace('The sync', 'Following your calendars');
    if (!attempt.final && !isPermanentSyncFailure(error)) {
      await deps.runs.noteRetry(runId, { errorCode: code, errorMessage, googleCalls: 0 });
      throw error;
    }
    await deps.runs.finish(runId, {
      status: 'failed',
      counts: {},
      googleCalls: 0,
      errorCode: code,
      errorMessage,
    });
    throw error;
  }
}
