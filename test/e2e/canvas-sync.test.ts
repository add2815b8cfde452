import { rm } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL, DEMO_TIME_ZONE } from '../../emulators/google/demo-seed.ts';
import { type CanvasCalApp, createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { eventFactsOf, expectedEventFacts } from '../support/calendar-truth.ts';
import { freshDataDir } from '../support/data-dir.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';

function canvasSyncSuite(
  databaseUrl: () => Promise<{ url: string | undefined; drop(): Promise<void> }>,
): void {
  let app: CanvasCalApp;
  let dir: string;
  let headers: Record<string, string>;
  let database: { url: string | undefined; drop(): Promise<void> } = {
    url: undefined,
    drop: async () => {},
  };

  const http = () => {
    if (!app.http) throw new Error('no http');
    return app.http;
  };
  const emulators = () => {
    if (!app.emulators) throw new Error('no emulators');
    return app.emulators;
  };

  beforeAll(async () => {
    dir = await freshDataDir('canvascal-sync-e2e-');
    database = await databaseUrl();
    app = await createApp({
      config: parseConfig({
        CANVASCAL_DATA_DIR: dir,
        CANVASCAL_EMULATORS: 'on',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        SYNC_INTERVAL_MINUTES: '0',
        ...(database.url ? { DATABASE_URL: database.url } : {}),
      }),
      // Retry rounds of failed Google writes back off from 5 ms instead of 1 s.
      retryBaseMs: { google: 5 },
    });
    // The suite must run on the database it names, not silently on the embedded default.
    expect(app.db.kind).toBe(database.url ? 'postgres' : 'pglite');
    const login = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      payload: { email: 'sam@example.edu' },
    });
    headers = { authorization: `Bearer ${login.json().accessToken}` };
    const start = await http().inject({ url: '/api/v1/auth/google/url', headers });
    const redirect = new URL(
      emulators().google.control.approveConsent(start.json().url, { email: DEMO_STUDENT_EMAIL }),
    );
    const token = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(token.json().status).toBe('connected');
    const canvas = await http().inject({
      method: 'PUT',
      url: '/api/v1/canvas/connection',
      headers,
      payload: { baseUrl: emulators().canvas.url, token: emulators().canvas.control.demo?.token },
    });
    expect(canvas.json()).toMatchObject({ status: 'connected', authKind: 'personal_token' });
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  /** Starts a sync through the API and waits until it has finished. */
  async function sync() {
    const started = await http().inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    expect(started.statusCode).toBe(202);
    const runId = started.json().runId;
    let run: {
      status: string;
      counts: Record<string, number>;
      googleCalls: number;
      error: { code: string } | null;
    } = { status: 'queued', counts: {}, googleCalls: 0, error: null };
    await vi.waitFor(
      async () => {
        run = (await http().inject({ url: `/api/v1/sync/runs/${runId}`, headers })).json();
        expect(['succeeded', 'failed']).toContain(run.status);
      },
      { timeout: 20_000, interval: 50 },
    );
    return run;
  }

  const writes = () => {
    const counts = emulators().google.control.requestCounts().byMethod;
    return { batches: counts.batch ?? 0, calendarsInsert: counts['calendar.calendars.insert'] ?? 0 };
  };

  const appCalendarEvents = () => {
    const { state } = emulators().google.control;
    const calendar = [...state.calendars.values()].find((c) => c.summary === 'CanvasCal' && !c.deleted);
    return [...(state.events.get(calendar?.id ?? '')?.values() ?? [])]
      .map((e) => e.resource)
      .filter((e) => e.status !== 'cancelled');
  };

  const appCalendar = () =>
    [...emulators().google.control.state.calendars.values()].find(
      (c) => c.summary === 'CanvasCal' && !c.deleted,
    );

  /** What the calendar must hold for the emulator's truth: event id, source key, title, times. */
  const expectedEvents = async () => {
    const userId: string = (await http().inject({ url: '/api/v1/me', headers })).json().id;
    return expectedEventFacts(emulators().canvas, userId);
  };
  const actualEvents = () => eventFactsOf(emulators().google.control, appCalendar()?.id ?? '');

  describe('Canvas → Google sync, end to end through the API and both emulators', () => {
    it('first sync: creates the calendar and exactly the expected events, in ceil(n/50) batches', async () => {
      emulators().google.control.resetCounts();
      const run = await sync();
      expect(run.status).toBe('succeeded');
      const created = run.counts.created ?? 0;
      expect(created).toBeGreaterThan(50);
      const expected = await expectedEvents();
      // Every item the emulator knows, once, with its fixed id, its title and its times.
      expect(actualEvents()).toEqual(expected);
      expect(created).toBe(expected.length);
      expect(writes()).toEqual({ batches: Math.ceil(created / 50), calendarsInsert: 1 });
      const event = appCalendarEvents().find((e) => String(e.summary).includes('Final project'));
      expect(event).toMatchObject({
        transparency: 'transparent',
        extendedProperties: { private: { canvascal: '1' } },
      });
      expect(String(event?.id)).toMatch(/^[a-v0-9]{32}$/);
    });

    it("takes the student's time zone from Google for the calendar, its events and the profile", async () => {
      // The demo student is in America/Chicago on Google and on Canvas; the profile began as UTC.
      expect(appCalendar()?.timeZone).toBe(DEMO_TIME_ZONE);
      const timed = appCalendarEvents().filter((e) => (e.start as { dateTime?: string }).dateTime);
      expect(timed.length).toBeGreaterThan(0);
      for (const e of timed) expect(e.start).toMatchObject({ timeZone: DEMO_TIME_ZONE });
      expect((await http().inject({ url: '/api/v1/me', headers })).json().timeZone).toBe(DEMO_TIME_ZONE);
    });

    it('an unchanged re-sync sends no writes', async () => {
      emulators().google.control.resetCounts();
      const run = await sync();
      expect(run.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
      expect(writes().batches).toBe(0);
    });

    it('a due date moved in Canvas is one patch; an assignment deleted in Canvas is one delete', async () => {
      const { state } = emulators().canvas.control;
      const homework = [...state.assignments.values()].find((a) => a.name === 'Homework 3');
      const quiz = [...state.assignments.values()].find((a) => a.name === 'Quiz 2');
      if (!homework || !quiz) throw new Error('seed changed');
      emulators().canvas.control.updateAssignment(homework.id, { dueAt: '2027-01-20T05:59:59Z' });
      emulators().canvas.control.deleteAssignment(quiz.id);
      emulators().google.control.resetCounts();
      const run = await sync();
      expect(run.counts).toMatchObject({ created: 0, updated: 1, deleted: 1, failed: 0 });
      expect(writes().batches).toBe(1);
      expect(emulators().google.control.requestCounts().byMethod['calendar.events.patch']).toBe(1);
      expect(emulators().google.control.requestCounts().byMethod['calendar.events.delete']).toBe(1);
    });

    it('recreates the CanvasCal calendar with every event when the user deleted it in Google', async () => {
      const { state } = emulators().google.control;
      const before = appCalendarEvents().length;
      const calendar = [...state.calendars.values()].find((c) => c.summary === 'CanvasCal' && !c.deleted);
      emulators().google.control.userDeleteCalendar(calendar?.id ?? '');
      emulators().google.control.resetCounts();
      const run = await sync();
      expect(run.error).toBeNull();
      expect(run.status).toBe('succeeded');
      expect(run.counts.created).toBe(before);
      expect(writes()).toEqual({ batches: Math.ceil(before / 50), calendarsInsert: 1 });
      expect(appCalendarEvents()).toHaveLength(before);
    });

    it('converges with no duplicates after a crash between the Google write and our commit', async () => {
      const before = appCalendarEvents().length;
      // As if the process died after Google accepted the writes but before we recorded them.
      await app.db.withSession((s) => s.exec('delete from event_mappings'));
      emulators().google.control.resetCounts();
      const run = await sync();
      expect(run.status).toBe('succeeded');
      expect(appCalendarEvents()).toHaveLength(before);
      expect(emulators().google.control.requestCounts().byOutcome['calendar.events.insert 409']).toBe(before);
      emulators().google.control.resetCounts();
      expect((await sync()).counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    });

    it('a course that hides its assignments tab keeps its deadlines, and the status says why', async () => {
      const canvas = emulators().canvas.control;
      const courseId = canvas.demo?.courseIds[1] ?? 0;
      const before = appCalendarEvents().length;
      canvas.hideTab(courseId, 'assignments');
      emulators().google.control.resetCounts();
      const run = await sync();
      expect(run.status).toBe('succeeded');
      expect(run.counts).toMatchObject({ deleted: 0, created: 0 });
      expect(writes().batches).toBe(0);
      expect(appCalendarEvents()).toHaveLength(before);
      const status = (await http().inject({ url: '/api/v1/sync/status', headers })).json();
      expect(status.lastRun.notes).toEqual([expect.stringMatching(/hides its assignments from students/)]);
      canvas.hideTab(courseId, 'assignments', false);
      const shown = await sync();
      expect(shown.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    });

    it('with 20% random Google faults, repeated syncs converge to exactly the expected calendar', async () => {
      const canvas = emulators().canvas.control;
      const google = emulators().google.control;
      const demo = canvas.demo;
      if (!demo) throw new Error('no demo student');
      // Canvas changes first, so the faulty syncs have inserts, patches and deletes to send.
      const dated = [...canvas.state.assignments.values()].filter((a) => a.published && a.dueAt);
      for (const a of dated.slice(0, 5))
        canvas.updateAssignment(a.id, {
          dueAt: new Date(Date.parse(a.dueAt ?? '') + 86_400_000).toISOString(),
        });
      for (const a of dated.slice(5, 8)) canvas.deleteAssignment(a.id);
      const courseId = demo.courseIds[0] ?? 0;
      for (let i = 0; i < 4; i++)
        canvas.addAssignment(courseId, {
          name: `Fault drill ${i}`,
          dueAt: new Date(Date.now() + (10 + i) * 86_400_000).toISOString(),
          pointsPossible: 10,
        });

      const keyOf = (t: { source: string; courseId: string; id: string }) =>
        `${t.source}:${t.courseId}:${t.id}`;
      // A timed deadline is checked by its instant, an all-day one by its local date.
      const truth = () =>
        canvas
          .expectedDueItems(demo.userId)
          .filter((t) => t.dueAt && (t.kind as string) !== 'syllabus')
          .map((t) => `${keyOf(t)} ${t.allDay ? t.allDayDate : Date.parse(t.dueAt ?? '')}`)
          .sort();
      const onCalendar = () =>
        appCalendarEvents()
          .map((e) => {
            const key = (e.extendedProperties as { private: { sourceKey: string } }).private.sourceKey;
            const end = e.end as { dateTime?: string };
            const start = e.start as { date?: string };
            return `${key} ${end.dateTime ? Date.parse(end.dateTime) : start.date}`;
          })
          .filter((line) => !line.startsWith('syllabus:'))
          .sort();

      google.resetCounts();
      google.randomFaults({ rate: 0.2, seed: 20261201 });
      let runs = 0;
      while (runs < 8) {
        runs += 1;
        await sync();
        if (JSON.stringify(onCalendar()) === JSON.stringify(truth())) break;
      }
      google.randomFaults(undefined);
      const outcomes = Object.keys(google.requestCounts().byOutcome);
      // The drill is real only if faults struck.
      expect(outcomes.some((o) => / (500|503|429|403)$/.test(o))).toBe(true);
      expect(onCalendar()).toEqual(truth());
      google.resetCounts();
      const settled = await sync();
      expect(settled.status).toBe('succeeded');
      expect(settled.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
      expect(writes().batches).toBe(0);
    });

    it('a course that ends keeps its past deadlines as history; only its future ones are deleted', async () => {
      const canvas = emulators().canvas.control;
      const demo = canvas.demo;
      if (!demo) throw new Error('no demo student');
      const ended = String(demo.courseIds[0]);
      const still = String(demo.courseIds[1]);
      const now = Date.now();
      const truth = canvas.expectedDueItems(demo.userId).filter((t) => t.dueAt !== null);
      const keyOf = (t: (typeof truth)[number]) => `${t.source}:${t.courseId}:${t.id}`;
      const past = truth.filter((t) => t.courseId === ended && Date.parse(t.dueAt ?? '') <= now).map(keyOf);
      const future = truth.filter((t) => t.courseId === ended && Date.parse(t.dueAt ?? '') > now);
      // The drill is real only if the course has both.
      expect(past.length).toBeGreaterThan(0);
      expect(future.length).toBeGreaterThan(0);
      // In a course that goes on, an item Canvas deletes goes even when it is past.
      const gone = [...canvas.state.assignments.values()].find(
        (a) => String(a.courseId) === still && a.published && a.dueAt && Date.parse(a.dueAt) <= now,
      );
      if (!gone) throw new Error('seed changed: no past assignment in the second course');
      canvas.deleteAssignment(gone.id);
      const before = actualEvents();

      canvas.enroll(demo.userId, Number(ended), { state: 'completed' });
      const run = await sync();
      expect(run.status).toBe('succeeded');
      expect(run.counts).toMatchObject({ created: 0, updated: 0, deleted: future.length + 1, failed: 0 });
      const after = actualEvents();
      expect(after.filter((e) => e.key.split(':')[1] === ended).map((e) => e.key)).toEqual(past.sort());
      expect(after.some((e) => e.key === `assignment:${still}:${gone.id}`)).toBe(false);
      // What stayed is what was there: the same events, untouched.
      const was = new Map(before.map((e) => [e.key, e]));
      for (const e of after) expect(e).toEqual(was.get(e.key));
      // Nothing more changes while the course stays ended.
      expect((await sync()).counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
      // The student enrolls again: nothing is duplicated, the future deadlines come back.
      canvas.enroll(demo.userId, Number(ended), { state: 'active' });
      expect((await sync()).counts).toMatchObject({ created: future.length, updated: 0, deleted: 0 });
      expect(actualEvents()).toEqual(await expectedEvents());
    });

    it('a course still listed loses its last item when Canvas deletes it, past or not', async () => {
      const canvas = emulators().canvas.control;
      const demo = canvas.demo;
      if (!demo) throw new Error('no demo student');
      const course = canvas.createCourse({ name: 'Independent Study', courseCode: 'IND 499' });
      canvas.enroll(demo.userId, course);
      const only = canvas.addAssignment(course, {
        name: 'Proposal',
        dueAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      });
      expect((await sync()).counts).toMatchObject({ created: 1, deleted: 0, failed: 0 });
      canvas.deleteAssignment(only);
      // The course has no item left, but Canvas still lists it: nothing marks it ended.
      expect((await sync()).counts).toMatchObject({ created: 0, updated: 0, deleted: 1, failed: 0 });
      expect(actualEvents().some((e) => e.key.split(':')[1] === String(course))).toBe(false);
      expect(actualEvents()).toEqual(await expectedEvents());
    });

    it('a run interrupted after its first batch is finished by the next one: exactly the expected events', async () => {
      const canvas = emulators().canvas.control;
      const google = emulators().google.control;
      const demo = canvas.demo;
      if (!demo) throw new Error('no demo student');
      const courseId = demo.courseIds[1] ?? 0;
      // 50 new items fill the first batch; 3 moved and 2 deleted make the second.
      for (let i = 0; i < 50; i++)
        canvas.addAssignment(courseId, {
          name: `Reading response ${i + 1}`,
          dueAt: new Date(Date.now() + (20 + i) * 86_400_000).toISOString(),
          pointsPossible: 5,
        });
      const dated = canvas
        .expectedDueItems(demo.userId)
        .filter((t) => t.kind === 'assignment' && t.dueAt && !t.title.startsWith('Reading response'))
        .map((t) => ({ id: Number(t.id), dueAt: t.dueAt ?? '' }));
      for (const a of dated.slice(0, 3))
        canvas.updateAssignment(a.id, { dueAt: new Date(Date.parse(a.dueAt) + 3_600_000).toISOString() });
      for (const a of dated.slice(3, 5)) canvas.deleteAssignment(a.id);
      const before = actualEvents().length;
      // Google fails every part of the second batch, in each of the run's 6 rounds.
      google.failNext('calendar.events.patch', 503, 3 * 6);
      google.failNext('calendar.events.delete', 503, 2 * 6);

      const interrupted = await sync();
      expect(interrupted).toMatchObject({ status: 'failed', error: { code: 'partial' } });
      expect(interrupted.counts).toMatchObject({ created: 50, updated: 0, deleted: 0, failed: 5 });
      expect(actualEvents()).toHaveLength(before + 50);

      google.resetCounts();
      const next = await sync();
      expect(next.status).toBe('succeeded');
      // Only what the first run left undone is sent; nothing is inserted twice.
      expect(next.counts).toMatchObject({ created: 0, updated: 3, deleted: 2, failed: 0 });
      expect(google.requestCounts().byMethod['calendar.events.insert']).toBeUndefined();
      expect(actualEvents()).toEqual(await expectedEvents());
      expect(new Set(actualEvents().map((e) => e.id)).size).toBe(actualEvents().length);
    });

    it("keeps other users out of this user's Canvas connection", async () => {
      const login = await http().inject({
        method: 'POST',
        url: '/api/v1/auth/local/login',
        payload: { email: 'other@example.edu' },
      });
      const other = { authorization: `Bearer ${login.json().accessToken}` };
      expect((await http().inject({ url: '/api/v1/canvas/connection', headers: other })).json().status).toBe(
        'not_connected',
      );
      expect((await http().inject({ url: '/api/v1/canvas/connection', headers })).json().status).toBe(
        'connected',
      );
    });

    it('a bad Canvas token ends in a clear status with nothing deleted', async () => {
      const before = appCalendarEvents().length;
      emulators().canvas.control.revokeToken(emulators().canvas.control.demo?.token ?? '');
      emulators().google.control.resetCounts();
      const run = await sync();
      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('canvas_token_invalid');
      expect(writes().batches).toBe(0);
      expect(appCalendarEvents()).toHaveLength(before);
      const status = (await http().inject({ url: '/api/v1/sync/status', headers })).json();
      expect(status.syncErrorCount).toBeGreaterThan(0);
      expect(status.lastRun.error.message).toContain('Your calendar was left as it was');
      expect(status.canvas).toMatchObject({ status: 'reconnect_needed' });
      expect((await http().inject({ url: '/api/v1/canvas/connection', headers })).json().message).toContain(
        'connect Canvas again',
      );
    });

    it('a revoked Google grant ends in "reconnect needed" with nothing deleted', async () => {
      const before = appCalendarEvents().length;
      emulators().canvas.control.state.tokens.forEach((t) => {
        t.revoked = false;
      });
      // The previous test left Canvas "reconnect needed"; the student reconnects it.
      const reconnected = await http().inject({
        method: 'PUT',
        url: '/api/v1/canvas/connection',
        headers,
        payload: { baseUrl: emulators().canvas.url, token: emulators().canvas.control.demo?.token },
      });
      expect(reconnected.json().status).toBe('connected');
      emulators().google.control.revokeGrants(DEMO_STUDENT_EMAIL);
      emulators().google.control.expireAccessTokens();
      const run = await sync();
      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('google_reconnect_needed');
      expect(appCalendarEvents()).toHaveLength(before);
      expect((await http().inject({ url: '/api/v1/auth/google', headers })).json().status).toBe(
        'reconnect_needed',
      );
    });
  });
}

describe('on PGlite (embedded default)', () => {
  canvasSyncSuite(async () => ({ url: undefined, drop: async () => {} }));
});

describeWithPostgres('on PostgreSQL', (adminUrl) => {
  canvasSyncSuite(() => createTestDatabase(adminUrl));
});

describe("the time zone deadlines are written in, when the student's accounts are connected", () => {
  let e2e: EmulatedApp | undefined;
  afterEach(async () => {
    await e2e?.close();
    e2e = undefined;
  });

  const appCalendarOf = (app: EmulatedApp) => {
    const { state } = app.google;
    const calendar = [...state.calendars.values()].find((c) => c.summary === 'CanvasCal' && !c.deleted);
    const events = [...(state.events.get(calendar?.id ?? '')?.values() ?? [])]
      .map((e) => e.resource)
      .filter((e) => e.status !== 'cancelled');
    const zones = new Set(
      events.flatMap((e) => {
        const start = e.start as { dateTime?: string; timeZone?: string };
        return start.dateTime ? [start.timeZone] : [];
      }),
    );
    return { timeZone: calendar?.timeZone, eventZones: [...zones] };
  };

  it("without permission to read the calendar list, Canvas's zone is taken", async () => {
    const app = await startEmulatedApp();
    e2e = app;
    const headers = await app.signIn('canvas-zone@example.edu');
    const start = await app.http.inject({ url: '/api/v1/auth/google/url', headers });
    const redirect = new URL(
      app.google.approveConsent(start.json().url, {
        email: DEMO_STUDENT_EMAIL,
        grantScopes: [SCOPES.appCreated, SCOPES.eventsFreebusy],
      }),
    );
    const token = await app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(token.json().features).toMatchObject({ calendarDiscovery: false, deadlines: true });
    const demo = app.canvas.control.demo;
    const student = app.canvas.control.state.users.get(demo?.userId ?? 0);
    if (!student) throw new Error('no demo student');
    // Set apart from Google's America/Chicago, so the test tells which account answered.
    student.timeZone = 'America/Denver';
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect((await app.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    expect(appCalendarOf(app)).toEqual({ timeZone: 'America/Denver', eventZones: ['America/Denver'] });
    expect((await app.http.inject({ url: '/api/v1/me', headers })).json().timeZone).toBe('America/Denver');
    expect(app.google.requestCounts().byMethod['calendar.calendarList.list']).toBeUndefined();
  });

  it('a zone the student chose is kept: neither Google nor Canvas replaces it', async () => {
    const app = await startEmulatedApp();
    e2e = app;
    const headers = await app.signIn('chosen-zone@example.edu');
    const current = (await app.http.inject({ url: '/api/v1/settings/planner', headers })).json();
    const put = await app.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers,
      payload: { ...current, timeZone: 'Europe/Berlin' },
    });
    expect(put.statusCode).toBe(200);
    await app.connectGoogle(headers);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect((await app.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    expect(appCalendarOf(app)).toEqual({ timeZone: 'Europe/Berlin', eventZones: ['Europe/Berlin'] });
    expect((await app.http.inject({ url: '/api/v1/me', headers })).json().timeZone).toBe('Europe/Berlin');
  });

  it('when the student moves to another zone, the calendar itself moves with its events', async () => {
    const app = await startEmulatedApp();
    e2e = app;
    const headers = await app.signIn('moving-zone@example.edu');
    await app.connectGoogle(headers);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect((await app.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    expect(appCalendarOf(app).timeZone).toBe('America/Chicago');
    const current = (await app.http.inject({ url: '/api/v1/settings/planner', headers })).json();
    await app.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers,
      payload: { ...current, timeZone: 'Asia/Kolkata' },
    });
    const patchesBefore = app.google.requestCounts().byMethod['calendar.calendars.patch'] ?? 0;
    expect((await app.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    expect(appCalendarOf(app)).toEqual({ timeZone: 'Asia/Kolkata', eventZones: ['Asia/Kolkata'] });
    expect(app.google.requestCounts().byMethod['calendar.calendars.patch']).toBe(patchesBefore + 1);
    // Settled: the next sync neither patches the calendar nor rewrites an event.
    const again = await app.run(headers, '/api/v1/sync/canvas');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(app.google.requestCounts().byMethod['calendar.calendars.patch']).toBe(patchesBefore + 1);
  });
});
