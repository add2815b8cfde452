import { pino } from 'pino';
import { startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createCalendarCacheRepo } from '../../src/db/calendar-cache-repo.ts';
import type { Database } from '../../src/db/client.ts';
import { createDeadlinesRepo, type DeadlineRecord } from '../../src/db/deadlines-repo.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { createStudyPlanRepo } from '../../src/db/study-plan-repo.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import type { CalendarApi } from '../../src/google/calendar-api.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { createPlannerBusy } from '../../src/google/planner-busy.ts';
import { DEFAULT_SCOPES } from '../../src/google/scopes.ts';
import { createUserBusy } from '../../src/google/user-busy.ts';
import { type RepairDeps, type RepairTrigger, repairStudyPlan } from '../../src/study-plan/repair-plan.ts';
import { inThreadSolver } from '../../src/study-plan/solve-plan.ts';
import { emulatorAccessToken } from './emulator-token.ts';

export const STUDENT = 'planner-student@example.edu';

/**
 * The study plan's repair on a real database and the Google emulator, with one injected
 * clock for both (the emulator stamps `updated` and token expiry with it), so the tests
 * never meet the wall clock. `intercept` lets a test act as the student between our read
 * and our write (the If-Match race). `scopes`: what the student granted (default: the defaults).
 */
export async function startStudyPlanHarness(
  db: Database,
  start: Date,
  scopes: readonly string[] = DEFAULT_SCOPES,
) {
  let clock = start.getTime();
  const emulator = await startGoogleEmulator({ now: () => clock, seed: false });
  const primaryId = emulator.control.addAccount(STUDENT, 'UTC');
  let token = await emulatorAccessToken(emulator, [...scopes], STUDENT);
  const users = createUsersRepo(db.orm);
  const deadlines = createDeadlinesRepo(db.orm);
  const connections = createGoogleConnectionsRepo(db.orm);
  const plans = createStudyPlanRepo(db.orm);
  const calendarCache = createCalendarCacheRepo(db.orm);
  // Fixed, like the clock: event ids derive from it, so every run sees the same order.
  const userId = '0b7e4c52-9a1d-4f3e-8c6b-2d5a7e9f1c30';
  await users.ensure(userId, STUDENT);
  await connections.connect(userId, { encryptedRefreshToken: 'unused', grantedScopes: [...scopes] });
  let intercept: ((api: CalendarApi) => Promise<void>) | undefined;
  const client = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
  const api: CalendarApi = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'batch')
        return async (ops: Parameters<CalendarApi['batch']>[0]) => {
          const once = intercept;
          intercept = undefined;
          await once?.(target);
          return target.batch(ops);
        };
      return Reflect.get(target, property, receiver);
    },
  });
  const userBusy = createUserBusy({
    users,
    calendarFor: async () => api,
    appCalendarId: async () => null,
    ownCalendarIds: async (id) => {
      const { calendarId } = await plans.getState(id);
      return calendarId ? [calendarId] : [];
    },
  });
  const deps: RepairDeps = {
    users,
    deadlines,
    connections,
    plans,
    calendarFor: () => api,
    busy: createPlannerBusy({ googleConnections: connections, userBusy, calendarCache }),
    solve: inThreadSolver,
    logger: pino({ level: 'silent' }),
    now: () => new Date(clock),
    sleep: async () => {},
    retryBaseMs: 1,
  };
  const google = emulator.control;
  return {
    userId,
    primaryId,
    google,
    plans,
    api,
    deps,
    /** Moves both clocks; a new access token, as the old one may have expired meanwhile. */
    async setNow(at: Date) {
      clock = at.getTime();
      token = await emulatorAccessToken(emulator, [...scopes], STUDENT);
    },
    /** Runs `act` right before the next batch is sent. */
    beforeNextBatch(act: () => Promise<void> | void) {
      intercept = async () => {
        await act();
      };
    },
    async setDeadlines(items: Array<Partial<DeadlineRecord> & { sourceKey: string; dueAt: Date }>) {
      await deadlines.replaceAll(
        userId,
        items.map((item) => ({
          kind: 'assignment',
          courseId: '1',
          courseName: 'CS 101',
          title: item.sourceKey,
          allDay: false,
          allDayDate: null,
          pointsPossible: 10,
          submitted: false,
          htmlUrl: `https://canvas.example.edu/courses/1/assignments/${item.sourceKey}`,
          ...item,
        })),
      );
    },
    async setPreferences(preferences: Record<string, unknown>) {
      await users.setPlannerPreferences(userId, { timeZone: 'UTC', ...preferences });
    },
    repair: (trigger: RepairTrigger = 'manual') => repairStudyPlan(deps, userId, trigger),
    /** Live events of the study calendar, as Google holds them, by start. */
    async studyEvents() {
      const { calendarId } = await plans.getState(userId);
      if (!calendarId) return [];
      const page = await client.listEvents(calendarId, { singleEvents: true, maxResults: 2500 });
      return page.items
        .filter((e) => e.status !== 'cancelled')
        .map((e) => ({
          id: e.id,
          start: e.start?.dateTime ?? '',
          end: e.end?.dateTime ?? '',
          etag: e.etag,
          deadlineId: e.extendedProperties?.private?.deadline,
        }))
        .sort((a, b) => Date.parse(a.start) - Date.parse(b.start) || a.id.localeCompare(b.id));
    },
    batchParts() {
      return google.requestCounts();
    },
    close: () => emulator.close(),
  };
}

export type StudyPlanHarness = Awaited<ReturnType<typeof startStudyPlanHarness>>;
