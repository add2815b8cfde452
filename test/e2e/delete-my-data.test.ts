import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALENDAR_FOLLOW_JOB, CANVAS_SYNC_JOB } from '../../src/jobs/canvas-sync-jobs.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { emulatedAppOnServices } from '../support/emulated-app-on-services.ts';
import { rowsMentioning, schemaTables } from '../support/rows-about-user.ts';
import { describeWithPostgres, describeWithRedis } from '../support/services.ts';

// DELETE /api/v1/me over the whole service, on both emulators. Each student signs in to
// CanvasCal and to a Google account of their own at the emulator (revoking a grant there
// revokes every grant of that account), connects the demo Canvas and syncs, so they hold rows
// in most tables, live push channels and a CanvasCal calendar in Google.

const LOGGED = { LOG_LEVEL: 'info', LOG_FORMAT: 'json' };

interface Student {
  email: string;
  headers: Record<string, string>;
  userId: string;
  appCalendarId: string;
}

type Start = (options: Parameters<typeof startEmulatedApp>[1]) => Promise<EmulatedApp>;

function deleteMyDataSuite(start: Start, cleanUp: () => Promise<void> = async () => {}) {
  let e2e: EmulatedApp;
  const logs: Array<Record<string, unknown>> = [];
  let other: Student;
  let otherRowsBefore: Record<string, number>;

  const liveChannelsOf = (email: string) =>
    e2e.google.channels().filter((c) => c.email === email && !c.stopped && c.expiration > Date.now());

  async function syncedStudent(email: string): Promise<Student> {
    e2e.google.addAccount(email, 'America/New_York');
    const headers = await e2e.signIn(email);
    const userId: string = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
    await e2e.connectGoogle(headers, { email });
    await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    // The sync created the CanvasCal calendar, which opens its push channels.
    // Settled: the deadlines calendar and the calendar list are watched, and only those.
    const recorded = async () =>
      (
        await e2e.app.db.withSession((s) =>
          s.query('select 1 from watch_channels where user_id = $1 and stopped_at is null', [userId]),
        )
      ).length;
    await vi.waitFor(
      async () => {
        expect(liveChannelsOf(email).length).toBe(2);
        expect(await recorded()).toBe(2);
      },
      { timeout: 10_000, interval: 20 },
    );
    const appCalendarId = liveChannelsOf(email).find(
      (c) => c.kind === 'events' && c.calendarId !== email,
    )?.calendarId;
    if (!appCalendarId) throw new Error('no channel on the CanvasCal calendar');
    return { email, headers, userId, appCalendarId };
  }

  const deleteMe = (student: Student, payload: unknown) =>
    e2e.http.inject({
      method: 'DELETE',
      url: '/api/v1/me',
      headers: student.headers,
      payload: payload as object,
    });
  const grantsOf = (email: string) =>
    [...e2e.google.state.refreshGrants.values()].filter((g) => g.email === email);
  const calendarAtGoogle = (id: string) => e2e.google.state.calendars.get(id);
  async function expectNoRowsAbout(student: Student) {
    expect(await rowsMentioning(e2e.app.db, student.userId)).toEqual({});
    expect(await rowsMentioning(e2e.app.db, student.email)).toEqual({});
  }

  beforeAll(async () => {
    e2e = await start({
      retryBaseMs: { job: 20, google: 10, canvas: 10 },
      logDestination: new Writable({
        write(chunk, _encoding, done) {
          for (const line of String(chunk).split('\n').filter(Boolean)) logs.push(JSON.parse(line));
          done();
        },
      }),
    });
    other = await syncedStudent('other-student@example.edu');
    otherRowsBefore = await rowsMentioning(e2e.app.db, other.userId);
  }, 60_000);
  afterAll(async () => {
    // Whatever the tests deleted, the other student kept every row and their Google.
    expect(await rowsMentioning(e2e.app.db, other.userId)).toEqual(otherRowsBefore);
    expect(grantsOf(other.email).some((g) => !g.revoked)).toBe(true);
    expect(liveChannelsOf(other.email).length).toBe(2);
    await e2e.close();
    await cleanUp();
  });

  it('refuses without {"confirm": true}, saying to send it, and deletes nothing', async () => {
    const student = await syncedStudent('unsure@example.edu');
    const before = await rowsMentioning(e2e.app.db, student.userId);
    for (const payload of [
      undefined,
      {},
      { confirm: false },
      { confirm: 'true' },
      { confirm: true, extra: 1 },
    ]) {
      const res = await deleteMe(student, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.message).toMatch(payload && 'extra' in payload ? /extra/ : /"confirm": true/);
    }
    expect(await rowsMentioning(e2e.app.db, student.userId)).toEqual(before);
    expect(liveChannelsOf(student.email).length).toBeGreaterThanOrEqual(2);
  });

  it('stops the channels, revokes the grant, keeps the calendars in Google and leaves no row', async () => {
    const student = await syncedStudent('leaving@example.edu');
    const channels = liveChannelsOf(student.email).map((c) => c.id);
    // The student's data is spread over most tables: that is what must go.
    const before = await rowsMentioning(e2e.app.db, student.userId);
    expect(Object.keys(before).length).toBeGreaterThanOrEqual(6);
    expect(before).toMatchObject({
      users: 1,
      deadlines: expect.any(Number),
      watch_channels: channels.length,
    });

    const res = await deleteMe(student, { confirm: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      deleted: true,
      channelsStopped: channels.length,
      calendarsRemoved: 0,
      grantRevoked: true,
      notes: [],
    });
    const atGoogle = e2e.google.channels().filter((c) => channels.includes(c.id));
    expect(atGoogle.map((c) => c.stopped)).toEqual(channels.map(() => true));
    expect(grantsOf(student.email).length).toBeGreaterThan(0);
    expect(grantsOf(student.email).every((g) => g.revoked)).toBe(true);
    // Their calendars are theirs: kept unless asked.
    expect(calendarAtGoogle(student.appCalendarId)?.deleted).toBe(false);
    expect((await schemaTables(e2e.app.db)).length).toBeGreaterThanOrEqual(Object.keys(before).length);
    await expectNoRowsAbout(student);
  });

  it('with removeCalendars also deletes the calendars CanvasCal created in Google', async () => {
    const student = await syncedStudent('tidy@example.edu');
    // Study planning on: the sessions go onto a "CanvasCal Study" calendar of their own.
    const settings = (
      await e2e.http.inject({ url: '/api/v1/settings/planner', headers: student.headers })
    ).json();
    const put = await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers: student.headers,
      payload: { ...settings, autoPlan: true },
    });
    expect(put.statusCode).toBe(200);
    await e2e.http.inject({ method: 'POST', url: '/api/v1/plan/replan', headers: student.headers });
    let studyCalendarId = '';
    await vi.waitFor(
      async () => {
        const plan = (await e2e.http.inject({ url: '/api/v1/plan', headers: student.headers })).json();
        expect(plan.lastRepair?.outcome).toBe('written');
        studyCalendarId = plan.calendarId;
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(calendarAtGoogle(studyCalendarId)).toMatchObject({ summary: 'CanvasCal Study', deleted: false });

    const res = await deleteMe(student, { confirm: true, removeCalendars: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ deleted: true, calendarsRemoved: 2, grantRevoked: true, notes: [] });
    expect(calendarAtGoogle(student.appCalendarId)?.deleted).toBe(true);
    expect(calendarAtGoogle(studyCalendarId)?.deleted).toBe(true);
    await expectNoRowsAbout(student);
  });

  it('with Google down still deletes everything here, and says what to do at Google by hand', async () => {
    const student = await syncedStudent('offline@example.edu');
    const channels = liveChannelsOf(student.email).map((c) => c.id);
    e2e.google.randomFaults({ rate: 1, seed: 1, kinds: [503], methods: ['*'] });
    let res: Awaited<ReturnType<typeof deleteMe>>;
    try {
      res = await deleteMe(student, { confirm: true, removeCalendars: true });
    } finally {
      e2e.google.randomFaults(undefined);
    }
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      deleted: true,
      channelsStopped: 0,
      calendarsRemoved: 0,
      grantRevoked: false,
    });
    expect(body.notes).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/could not be stopped/),
        expect.stringMatching(/"CanvasCal" could not be removed/),
        'The Google grant could not be revoked: revoke CanvasCal at https://myaccount.google.com/permissions.',
      ]),
    );
    // Nothing changed at Google, and nothing is left here.
    expect(liveChannelsOf(student.email).map((c) => c.id)).toEqual(channels);
    expect(grantsOf(student.email).some((g) => !g.revoked)).toBe(true);
    expect(calendarAtGoogle(student.appCalendarId)?.deleted).toBe(false);
    await expectNoRowsAbout(student);
  });

  it('with a Google token CanvasCal can no longer open, deletes everything here and says to revoke by hand', async () => {
    const student = await syncedStudent('rotated@example.edu');
    // Sealed under a key id that has left the ring (a rotation gone wrong).
    await e2e.app.db.withSession((s) =>
      s.query(
        `update users set encrypted_refresh_token = regexp_replace(encrypted_refresh_token, '^(v[0-9]+)\\.[^.]+\\.', '\\1.gone.') where id = $1`,
        [student.userId],
      ),
    );
    const res = await deleteMe(student, { confirm: true });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ deleted: true, grantRevoked: false });
    expect(res.json().notes).toContain(
      'The Google grant could not be revoked: revoke CanvasCal at https://myaccount.google.com/permissions.',
    );
    expect(grantsOf(student.email).some((g) => !g.revoked)).toBe(true);
    await expectNoRowsAbout(student);
  });

  it('answers a deleted student who comes back as a new user, and a second delete finds nothing to do', async () => {
    const student = await syncedStudent('returning@example.edu');
    expect((await deleteMe(student, { confirm: true })).statusCode).toBe(200);
    const again = await deleteMe(student, { confirm: true });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({
      deleted: true,
      channelsStopped: 0,
      calendarsRemoved: 0,
      grantRevoked: false,
      notes: [],
    });
    // The same session token, then a fresh sign-in: a new, empty account under the same id.
    const me = await e2e.http.inject({ url: '/api/v1/me', headers: student.headers });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      id: student.userId,
      email: student.email,
      google: { status: 'not_connected' },
    });
    const headers = await e2e.signIn(student.email);
    expect((await e2e.http.inject({ url: '/api/v1/me', headers })).statusCode).toBe(200);
    expect(await rowsMentioning(e2e.app.db, student.userId)).toEqual({ users: 1, user_profiles: 1 });
    const status = (await e2e.http.inject({ url: '/api/v1/sync/status', headers })).json();
    expect(status).toMatchObject({
      google: { status: 'not_connected' },
      canvas: { status: 'not_connected' },
    });
  });

  it('a sync queued just before the delete runs for nobody: no rows, no Google writes, no error logged', async () => {
    const student = await syncedStudent('hasty@example.edu');
    const calendarsBefore = [...e2e.google.state.calendars.values()].filter((c) => c.owner === student.email);
    const started = await e2e.http.inject({
      method: 'POST',
      url: '/api/v1/sync/canvas',
      headers: student.headers,
    });
    expect(started.statusCode).toBe(202);
    expect((await deleteMe(student, { confirm: true })).statusCode).toBe(200);
    const jobLines = () =>
      logs.filter(
        (l) => l.userId === student.userId && l.job === 'canvas-sync' && l.runId === started.json().runId,
      );
    // The queued sync ran (or was already running) and ended: once, for nobody.
    await vi.waitFor(
      () => expect(jobLines().some((l) => l.willRetry === false || l.msg === 'job succeeded')).toBe(true),
      {
        timeout: 15_000,
        interval: 20,
      },
    );
    expect(logs.filter((l) => l.userId === student.userId && Number(l.level) >= 50)).toEqual([]);
    expect(jobLines().length).toBeLessThanOrEqual(2);
    await expectNoRowsAbout(student);
    const calendarsAfter = [...e2e.google.state.calendars.values()].filter(
      (c) => c.owner === student.email && !c.deleted,
    );
    expect(calendarsAfter.length).toBeLessThanOrEqual(calendarsBefore.length);

    // Jobs that come due later (a retry's backoff, the periodic tick) end at once, quietly.
    const later = [
      await e2e.app.queue.add(CANVAS_SYNC_JOB, { userId: student.userId, runId: randomUUID() }),
      await e2e.app.queue.add(CALENDAR_FOLLOW_JOB, { userId: student.userId, runId: randomUUID() }),
    ];
    const linesOf = (jobId: string) => logs.filter((l) => l.jobId === jobId);
    for (const { id } of later)
      await vi.waitFor(() => expect(linesOf(id).map((l) => l.msg)).toEqual(['job succeeded']), {
        timeout: 15_000,
        interval: 20,
      });
    const skipped = logs.filter(
      (l) => l.userId === student.userId && l.msg === 'job skipped: the student deleted their data',
    );
    expect(skipped.length).toBeGreaterThanOrEqual(2);
    await expectNoRowsAbout(student);
  });
}

describe('DELETE /api/v1/me (PGlite, in-process queue)', () => {
  deleteMyDataSuite((options) => startEmulatedApp(LOGGED, options));
});

describeWithPostgres('DELETE /api/v1/me (PostgreSQL)', (adminUrl) => {
  describeWithRedis('and Redis (BullMQ)', (redisUrl) => {
    const { start, cleanUp } = emulatedAppOnServices(adminUrl, redisUrl, 'delete-me', LOGGED);
    deleteMyDataSuite(start, cleanUp);
  });
});
