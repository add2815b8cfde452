import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type CanvasCalApp, createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
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
    dir = await mkdtemp(join(tmpdir(), 'canvascal-sync-e2e-'));
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

  describe('Canvas → Google sync, end to end through the API and both emulators', () => {
    it('first sync: creates the calendar and exactly the expected events, in ceil(n/50) batches', async () => {
      emulators().google.control.resetCounts();
      const run = await sync();
      expect(run.status).toBe('succeeded');
      const created = run.counts.created ?? 0;
      expect(created).toBeGreaterThan(50);
      expect(appCalendarEvents()).toHaveLength(created);
      expect(writes()).toEqual({ batches: Math.ceil(created / 50), calendarsInsert: 1 });
      const event = appCalendarEvents().find((e) => String(e.summary).includes('Final project'));
      expect(event).toMatchObject({
        transparency: 'transparent',
        extendedProperties: { private: { canvascal: '1' } },
      });
      expect(String(event?.id)).toMatch(/^[a-v0-9]{32}$/);
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
