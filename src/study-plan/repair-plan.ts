import type { Logger } from 'pino';
import type { DeadlineRecord, DeadlinesRepo } from '../db/deadlines-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { StoredSession, StudyPlanRepo } from '../db/study-plan-repo.ts';
import type { UsersRepo } from '../db/users-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { PlannerPreferencesSchema } from '../planner/index.ts';
import { calendarPlanOf } from './calendar-plan.ts';
import { type BusySource, previewStudyPlan } from './plan-preview.ts';
import { desiredSessionEvent, type SessionDeadline } from './session-event.ts';
import { assignSlots, type PlanSession, type WrittenSlot } from './session-slots.ts';
import { type WriteOptions, type WriteOutcome, writeSessions } from './session-writer.ts';
import type { PlanSolver } from './solve-plan.ts';
import { followStudentEdits } from './student-edits.ts';
import { ensureStudyCalendar } from './study-calendar.ts';

export type RepairTrigger = 'canvas-sync' | 'calendar-follow' | 'settings' | 'daily' | 'manual' | 'proposal';

/** What one repair did; the last one is kept for `GET /api/v1/plan`. */
export interface RepairRecord {
  at: string;
  /** The first trigger of the repair (kept for readers of one value). */
  trigger: RepairTrigger;
  /** Every trigger coalesced into this repair, first one first. */
  triggers: RepairTrigger[];
  /**
   * `student-edited`: a given plan (an accepted proposal) was not written, or written only in
   * part, because the follow found sessions the student moved or deleted since it was made.
   */
  outcome: 'written' | 'planning-off' | 'google-not-connected' | 'student-edited';
  moved: number;
  added: number;
  removed: number;
  unchanged: number;
  /** HTTP requests to Google (a batch is one). */
  googleCalls: number;
  batches: number;
  /** Writes that met 412 (the student edited the event a moment before): re-read, re-planned. */
  conflicts: number;
  studentEdits: { pinned: number; dropped: number };
  shortfalls: Array<{
    deadlineId: string;
    title: string;
    course: string;
    minutes: number;
    reason: string;
    message: string;
  }>;
  notes: string[];
}

export interface RepairDeps {
  users: Pick<UsersRepo, 'getPlannerPreferences'>;
  deadlines: Pick<DeadlinesRepo, 'list'>;
  connections: Pick<GoogleConnectionsRepo, 'get'>;
  plans: StudyPlanRepo;
  calendarFor(userId: string): CalendarApi;
  /** Busy time without CanvasCal's own calendars. */
  busy: BusySource;
  /** Runs the planner (the pool in the service, in-thread in tests). */
  solve: PlanSolver;
  /**
   * The same, read through the repair's own Google client, so its calls are counted with
   * the repair's (`googleCalls`); left out, `busy` is used.
   */
  busyFor?(api: CalendarApi): BusySource;
  logger: Logger;
  /**
   * A study calendar was just created (or adopted after a lost create): its push channel
   * should open now, not at the next channel check, so the student's edits there are heard.
   */
  onStudyCalendarCreated?(userId: string): Promise<void>;
  now(): Date;
  sleep?(ms: number): Promise<void>;
  retryBaseMs?: number;
  /** Batches of session writes in flight at once (GOOGLE_BATCHES_IN_FLIGHT; default 1). */
  batchesInFlight?: number;
  /** Whether `calendarFor` paces its requests by a request budget (its gate waits out refusals). */
  paced?: boolean;
}

// A 412 re-reads and re-plans; a student editing faster than this is left for the next repair.
const MAX_PASSES = 3;

/**
 * One repair of a student's study plan. With `autoPlan` on: reads the student's edits from
 * the study calendar's follow, re-plans from the sessions now on it (`previous`, so only what
 * no longer fits moves; sessions already begun or past are never touched), and writes the
 * difference in batches under If-Match; a 412 re-reads and re-plans around the edit. With it
 * off: deletes the future sessions CanvasCal wrote and keeps past ones. Idempotent: a second
 * run with nothing changed sends one incremental list, one free/busy query and no write.
 */
export async function repairStudyPlan(
  deps: RepairDeps,
  userId: string,
  trigger: RepairTrigger,
  given?: readonly PlanSession[],
  coalesced: readonly RepairTrigger[] = [],
): Promise<RepairRecord> {
  const triggers = [...new Set([trigger, ...coalesced])];
  const prefs = PlannerPreferencesSchema.parse(await deps.users.getPlannerPreferences(userId));
  const now = deps.now();
  const record: RepairRecord = {
    at: now.toISOString(),
    trigger,
    triggers,
    outcome: 'written',
    moved: 0,
    added: 0,
    removed: 0,
    unchanged: 0,
    googleCalls: 0,
    batches: 0,
    conflicts: 0,
    studentEdits: { pinned: 0, dropped: 0 },
    shortfalls: [],
    notes: [],
  };
  const connection = await deps.connections.get(userId);
  if (connection?.status !== 'connected') {
    record.outcome = 'google-not-connected';
    await deps.plans.setState(userId, { lastRepair: { ...record } });
    return record;
  }
  const api = deps.calendarFor(userId);
  const callsBefore = api.requestCount;
  if (deps.busyFor) deps = { ...deps, busy: deps.busyFor(api) };
  const base = deps.retryBaseMs ?? 1_000;
  const writeOptions: WriteOptions = {
    commit: (changes) => deps.plans.saveSessions(userId, changes),
    sleep: deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    backoffMs: (attempt: number) => Math.round(base * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)),
    concurrency: deps.batchesInFlight ?? 1,
    // A paced client's gate waits past Google's window before each retry: no try is wasted.
    ...(deps.paced ? { rateLimitRounds: Number.POSITIVE_INFINITY } : {}),
  };
  const count = (outcome: WriteOutcome) => {
    record.moved += outcome.moved;
    record.added += outcome.added;
    record.removed += outcome.removed;
    record.unchanged = outcome.unchanged;
    record.batches += outcome.batches;
    record.conflicts += outcome.conflicts.length;
    for (const failure of outcome.failed)
      record.notes.push(
        `Google refused a write (${failure.status}): ${failure.message}; the next repair tries again.`,
      );
  };

  if (!prefs.autoPlan) {
    record.outcome = 'planning-off';
    const { calendarId } = await deps.plans.getState(userId);
    const future = (await deps.plans.listSessions(userId)).filter(
      (row) =>
        row.status !== 'dropped' && row.start.getTime() > now.getTime() && row.calendarId === calendarId,
    );
    if (calendarId && future.length > 0)
      count(await writeSessions(api, calendarId, [], future, writeOptions));
  } else {
    // The calendar is checked (and its zone) only when settings changed or none is known:
    // otherwise the follow's listing tells us it is gone (404), and only then is it recreated.
    const known = triggers.includes('settings') ? null : (await deps.plans.getState(userId)).calendarId;
    let calendarId = known ?? (await ensureStudyCalendar(deps, api, connection, prefs.timeZone));
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      let edits: Awaited<ReturnType<typeof followStudentEdits>>;
      try {
        edits = await followStudentEdits(api, deps.plans, userId, calendarId);
      } catch (error) {
        if (!(error instanceof GoogleApiError && error.kind === 'not_found' && pass === 1)) throw error;
        calendarId = await ensureStudyCalendar(deps, api, connection, prefs.timeZone);
        edits = await followStudentEdits(api, deps.plans, userId, calendarId);
      }
      record.studentEdits.pinned += edits.pinned;
      record.studentEdits.dropped += edits.dropped;
      if (given && edits.pinned + edits.dropped > 0) {
        // The given plan was made before these edits: writing it would put back a session the
        // student deleted, or add a second one beside the one they moved. Nothing more is
        // written; the caller makes a fresh proposal from the calendar as it now is.
        record.outcome = 'student-edited';
        record.notes.push(
          `The student moved ${edits.pinned} and deleted ${edits.dropped} study session(s) in Google since the plan was made, so it was not written${pass > 1 ? ' beyond the writes before the edit' : ''}.`,
        );
        break;
      }
      const outcome = await planAndWrite(
        deps,
        api,
        userId,
        calendarId,
        prefs.timeZone,
        prefs.horizonDays,
        now,
        writeOptions,
        record,
        given,
      );
      count(outcome);
      if (outcome.conflicts.length === 0) break;
    }
  }
  record.googleCalls = api.requestCount - callsBefore;
  await deps.plans.setState(userId, { lastRepair: { ...record } });
  return record;
}

async function planAndWrite(
  deps: RepairDeps,
  api: CalendarApi,
  userId: string,
  calendarId: string,
  timeZone: string,
  horizonDays: number,
  now: Date,
  writeOptions: WriteOptions,
  record: RepairRecord,
  given: readonly PlanSession[] | undefined,
): Promise<WriteOutcome> {
  const nowMs = now.getTime();
  // The deadlines the planner will see (the preview reads the same: open, due within the horizon).
  const horizonEnd = new Date(nowMs + horizonDays * 86_400_000);
  const open = new Set(
    (await deps.deadlines.list(userId, { from: now, to: horizonEnd }))
      .filter((d) => !d.submitted && d.dueAt)
      .map((d) => d.sourceKey),
  );
  const onCalendar = calendarPlanOf(await deps.plans.listSessions(userId), calendarId, now, open);
  const { rows } = onCalendar;
  // A session already begun belongs to the past: never moved, counted as study done.
  const isPast = (row: StoredSession) => row.start.getTime() < nowMs;
  const live = rows.filter((row) => row.status !== 'dropped');
  const stored = new Map((await deps.deadlines.list(userId)).map((d) => [d.sourceKey, d]));
  if (given) {
    // A plan decided elsewhere (a reschedule the student accepted): written as it is, from now on.
    const future = given.filter((s) => Date.parse(s.start) >= nowMs && stored.has(s.deadlineId));
    const slots = assignSlots(future, rows.map(pastAsPinned(isPast)));
    const desired = slots.sessions.map((session) =>
      desiredSessionEvent(session, describeDeadline(stored.get(session.deadlineId), session.deadlineId), {
        userId,
        timeZone,
      }),
    );
    const writable = live.filter((row) => !isPast(row) && row.status === 'planned');
    return writeSessions(api, calendarId, desired, writable, writeOptions);
  }
  const preview = await previewStudyPlan(deps, userId, {
    now,
    previous: onCalendar.previous,
    pinned: onCalendar.pinned,
    dropped: onCalendar.dropped,
  });
  const info = new Map(preview.deadlines.map((d) => [d.deadlineId, d]));
  record.shortfalls = preview.deadlines.flatMap((d) =>
    d.shortfall ? [{ deadlineId: d.deadlineId, title: d.title, course: d.course, ...d.shortfall }] : [],
  );
  record.notes = [...preview.notes];
  const slots = assignSlots(
    preview.sessions.filter((s) => !s.pinned),
    // Begun sessions keep their slot but are never handed out again.
    rows.map(pastAsPinned(isPast)),
  );
  const desired = slots.sessions.map((session) =>
    desiredSessionEvent(session, describeDeadline(stored.get(session.deadlineId), session.deadlineId), {
      userId,
      timeZone,
    }),
  );
  // What CanvasCal may change: future planned sessions, and future pinned ones of a deadline
  // that is no longer open (handed in, or gone from Canvas).
  const writable = live.filter(
    (row) => !isPast(row) && (row.status === 'planned' || !info.has(row.deadlineKey)),
  );
  return writeSessions(api, calendarId, desired, writable, writeOptions);
}

/** Begun sessions keep their slot but are never handed out again. */
function pastAsPinned(isPast: (row: StoredSession) => boolean) {
  return (row: StoredSession): WrittenSlot => ({
    ...row,
    status: isPast(row) && row.status === 'planned' ? 'pinned' : row.status,
  });
}

function describeDeadline(d: DeadlineRecord | undefined, id: string): SessionDeadline {
  return {
    title: d?.title ?? id,
    course: d?.courseName ?? '',
    dueAt: d?.dueAt ?? null,
    htmlUrl: d?.htmlUrl ?? null,
  };
}

/**
 * Writes a plan decided elsewhere (the MCP reschedule tool applies an accepted proposal with
 * it) onto the student's study calendar, exactly as a repair writes: the student's edits are
 * read first and win, only the difference is sent, in batches, under If-Match. Sessions in
 * the past and sessions of unknown deadlines are ignored. Resolves with what it did
 * (moved / added / removed, Google calls), which is also kept as the last repair.
 */
export function writeStudyPlan(
  deps: RepairDeps,
  userId: string,
  sessions: readonly PlanSession[],
): Promise<RepairRecord> {
  return repairStudyPlan(deps, userId, 'proposal', sessions);
}
