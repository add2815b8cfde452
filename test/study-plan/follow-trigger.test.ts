import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCalendarCacheRepo } from '../../src/db/calendar-cache-repo.ts';
import type { Database } from '../../src/db/client.ts';
import { createDeadlinesRepo } from '../../src/db/deadlines-repo.ts';
import { createEventMappingsRepo } from '../../src/db/event-mappings-repo.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { DEFAULT_SCOPES, SCOPES } from '../../src/google/scopes.ts';
import type { Queue } from '../../src/queue/queue.ts';
import { assembleStudyPlan } from '../../src/study-plan/assembly.ts';
import { STUDY_REPAIR_JOB } from '../../src/study-plan/repair-jobs.ts';
import { inThreadSolver } from '../../src/study-plan/solve-plan.ts';
import { followCalendars } from '../../src/sync/follow-calendars.ts';
import { migratedPglite } from '../support/pglite.ts';
import { migratedPostgres } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { type StudyPlanHarness, startStudyPlanHarness } from '../support/study-plan-harness.ts';
import { DEADLINES, NOW } from './study-plan.suite.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const timed = (startMs: number, hours = 1) => ({
  start: { dateTime: new Date(startMs).toISOString() },
  end: { dateTime: new Date(startMs + hours * HOUR).toISOString() },
});

/** Which calendar follows ask for a repair: counted at the queue, follows run against the emulator. */
function followTriggerSuite(openDb: () => Promise<Database>, closeDb: (db: Database) => Promise<void>) {
  let db: Database;
  let h: StudyPlanHarness;
  beforeEach(async () => {
    db = await openDb();
    // The primary calendar is followed only when reading it was granted.
    h = await startStudyPlanHarness(db, NOW, [...DEFAULT_SCOPES, SCOPES.eventsOwnedReadonly]);
    await h.setDeadlines(DEADLINES);
    await h.setPreferences({ autoPlan: true, horizonDays: 14 });
  });
  afterEach(async () => {
    await h.close();
    await closeDb(db);
  });

  it('asks for a repair only when busy time inside the horizon changed, and on every study-calendar change', async () => {
    const repairs: unknown[] = [];
    const queue = {
      async add(name: string, payload: unknown) {
        if (name === STUDY_REPAIR_JOB) repairs.push(payload);
        return { id: `job-${repairs.length}`, coalesced: false };
      },
    } as unknown as Queue;
    const orm = db.orm;
    const cache = createCalendarCacheRepo(orm);
    const connections = createGoogleConnectionsRepo(orm);
    const deadlines = createDeadlinesRepo(orm);
    const studyPlan = assembleStudyPlan({
      orm,
      queue,
      logger: pino({ level: 'silent' }),
      users: createUsersRepo(orm),
      deadlines,
      googleConnections: connections,
      calendarCache: cache,
      solve: inThreadSolver,
      retryBaseMs: 1,
      now: () => NOW,
    });
    const followDeps = {
      connections,
      calendarFor: () => h.api,
      cache,
      mappings: createEventMappingsRepo(orm),
      deadlines,
      now: () => NOW.getTime(),
    };
    /** One follow of the student's calendars, then the trigger; answers the repairs asked so far. */
    const follow = async (only?: string) => {
      const outcome = await followCalendars({ ...followDeps, ...(only ? { only: [only] } : {}) }, h.userId);
      await studyPlan.afterFollow(h.userId, outcome, only);
      return repairs.length;
    };
    const cal = h.primaryId;
    const google = h.google;

    // The first follow lists everything (a full listing says nothing of what changed).
    expect(await follow()).toBe(1);
    expect(await follow()).toBe(1);

    const meeting = google.userInsertEvent(cal, {
      summary: 'Meeting',
      ...timed(NOW.getTime() + DAY + 3 * HOUR),
    });
    expect(await follow()).toBe(2);
    google.userPatchEvent(cal, meeting, { summary: 'Team meeting', description: 'agenda' });
    expect(await follow()).toBe(2);

    const free = google.userInsertEvent(cal, {
      summary: 'Maybe',
      transparency: 'transparent',
      ...timed(NOW.getTime() + DAY + 5 * HOUR),
    });
    google.userPatchEvent(cal, free, timed(NOW.getTime() + 2 * DAY));
    expect(await follow()).toBe(2);

    const far = google.userInsertEvent(cal, { summary: 'Summer', ...timed(NOW.getTime() + 60 * DAY) });
    google.userInsertEvent(cal, { summary: 'Last week', ...timed(NOW.getTime() - 6 * DAY) });
    expect(await follow()).toBe(2);
    google.userPatchEvent(cal, far, timed(NOW.getTime() + 90 * DAY));
    expect(await follow()).toBe(2);

    // Moved inside the horizon; moved out of it (its old time frees up); brought back in.
    google.userPatchEvent(cal, meeting, timed(NOW.getTime() + 2 * DAY + 3 * HOUR));
    expect(await follow()).toBe(3);
    google.userPatchEvent(cal, meeting, timed(NOW.getTime() + 40 * DAY));
    expect(await follow()).toBe(4);
    google.userPatchEvent(cal, far, timed(NOW.getTime() + 3 * DAY));
    expect(await follow()).toBe(5);
    // Marked free: the time it blocked is free again. Deleted once free: nothing.
    google.userPatchEvent(cal, far, { transparency: 'transparent' });
    expect(await follow()).toBe(6);
    google.userDeleteEvent(cal, far);
    expect(await follow()).toBe(6);
    // A busy event deleted inside the horizon frees its time.
    const lunch = google.userInsertEvent(cal, { summary: 'Lunch', ...timed(NOW.getTime() + 4 * DAY) });
    expect(await follow()).toBe(7);
    google.userDeleteEvent(cal, lunch);
    expect(await follow()).toBe(8);

    // A change on the study calendar itself is the student's edit of a session: always read.
    await h.repair('settings');
    const { calendarId: study } = await h.plans.getState(h.userId);
    if (!study) throw new Error('no study calendar');
    const [session] = await h.studyEvents();
    if (!session) throw new Error('no session written');
    google.userPatchEvent(study, session.id, { summary: 'My own title' });
    expect(await follow(study)).toBe(9);
  });
}

describe('the calendar follow’s repair trigger (PGlite)', () => {
  followTriggerSuite(migratedPglite, (db) => db.close());
});

describeWithPostgres('the calendar follow’s repair trigger (PostgreSQL)', (adminUrl) => {
  const databases = migratedPostgres(adminUrl);
  followTriggerSuite(databases.open, databases.close);
});
