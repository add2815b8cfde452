import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';

/**
 * Issue 18: a sync where nothing changed in Canvas costs no Google request and writes no
 * deadline row; a change is still picked up; a CanvasCal calendar the student deleted is still
 * recreated, noticed by the follow of that calendar or by the 404 of a write.
 */
function unchangedSyncSuite(database: () => Promise<{ env: Env; drop(): Promise<void> }>): void {
  let e2e: EmulatedApp;
  let drop = async () => {};
  let headers: Record<string, string>;
  let userId: string;

  beforeAll(async () => {
    const db = await database();
    drop = db.drop;
    e2e = await startEmulatedApp(db.env, { retryBaseMs: { job: 5, google: 5, canvas: 5 } });
    headers = await e2e.signIn('unchanged@example.edu');
    await e2e.connectGoogle(headers);
    await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    userId = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
    expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    // The follow (periodic or pushed) has read the calendar once, as it does in service.
    expect((await e2e.run(headers, '/api/v1/sync/calendars')).status).toBe('succeeded');
  });
  afterAll(async () => {
    await e2e.close();
    await drop();
  });

  const sync = () => e2e.run(headers, '/api/v1/sync/canvas');
  const follow = () => e2e.run(headers, '/api/v1/sync/calendars');
  const googleRequests = () => e2e.google.requestCounts().byMethod;
  const appCalendars = () =>
    [...e2e.google.state.calendars.values()].filter((c) => c.summary === 'CanvasCal' && !c.deleted);
  const appCalendarEvents = () => {
    const id = appCalendars()[0]?.id ?? '';
    return [...(e2e.google.state.events.get(id)?.values() ?? [])].filter(
      (e) => e.resource.status !== 'cancelled',
    );
  };
  /** Each deadline row's version: Postgres gives a row a new xmin whenever it is written. */
  const rowVersions = async () =>
    new Map(
      (
        await e2e.app.db.withSession((s) =>
          s.query<{ source_key: string; version: string }>(
            'select source_key, xmin::text as version from deadlines where user_id = $1',
            [userId],
          ),
        )
      ).map((row) => [row.source_key, row.version]),
    );
  const rewritten = (before: Map<string, string>, after: Map<string, string>) =>
    [...after].filter(([key, version]) => before.get(key) !== version).map(([key]) => key);

  it('an unchanged sync sends no Google request and rewrites no deadline row', async () => {
    const before = await rowVersions();
    expect(before.size).toBeGreaterThan(50);
    e2e.google.resetCounts();
    const run = await sync();
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(run.googleCalls).toBe(0);
    expect(googleRequests()).toEqual({});
    const after = await rowVersions();
    expect(after.size).toBe(before.size);
    expect(rewritten(before, after)).toEqual([]);
  });

  it('a due date moved in Canvas after an unchanged sync is one patch and one deadline row written', async () => {
    const { control } = e2e.canvas;
    const homework = [...control.state.assignments.values()].find((a) => a.name === 'Homework 3');
    if (!homework?.dueAt) throw new Error('the demo seed has no dated Homework 3');
    const moved = new Date(Date.parse(homework.dueAt) + 86_400_000).toISOString();
    control.updateAssignment(homework.id, { dueAt: moved });
    const before = await rowVersions();
    e2e.google.resetCounts();
    const run = await sync();
    expect(run.counts).toMatchObject({ created: 0, updated: 1, deleted: 0, failed: 0 });
    expect(googleRequests()).toEqual({ batch: 1, 'calendar.events.patch': 1 });
    const changed = rewritten(before, await rowVersions());
    expect(changed).toHaveLength(1);
    expect(changed[0]).toContain(String(homework.id));
  });

  it('a calendar the student deleted is noticed by the follow, and the next sync recreates it', async () => {
    const events = appCalendarEvents().length;
    const [calendar] = appCalendars();
    e2e.google.userDeleteCalendar(calendar?.id ?? '');
    const followed = await follow();
    expect(followed.status).toBe('succeeded');
    e2e.google.resetCounts();
    const run = await sync();
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ created: events, failed: 0 });
    expect(googleRequests()['calendar.calendars.insert']).toBe(1);
    expect(googleRequests()['calendar.calendars.get']).toBeUndefined();
    expect(appCalendars()).toHaveLength(1);
    expect(appCalendarEvents()).toHaveLength(events);
  });

  it('a calendar deleted since the last follow is noticed by the 404 of a write and recreated', async () => {
    expect((await follow()).status).toBe('succeeded');
    const events = appCalendarEvents().length;
    const [calendar] = appCalendars();
    e2e.google.userDeleteCalendar(calendar?.id ?? '');
    const { control } = e2e.canvas;
    const quiz = [...control.state.assignments.values()].find((a) => a.name === 'Quiz 2');
    if (!quiz?.dueAt) throw new Error('the demo seed has no dated Quiz 2');
    control.updateAssignment(quiz.id, { dueAt: new Date(Date.parse(quiz.dueAt) + 3_600_000).toISOString() });
    e2e.google.resetCounts();
    const run = await sync();
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ created: events, failed: 0 });
    expect(googleRequests()['calendar.calendars.insert']).toBe(1);
    expect(appCalendars()).toHaveLength(1);
    expect(appCalendarEvents()).toHaveLength(events);
    // Settled: the next sync asks Google nothing again once the follow has read the new calendar.
    expect((await follow()).status).toBe('succeeded');
    e2e.google.resetCounts();
    expect((await sync()).googleCalls).toBe(0);
  });

  it('a zone the student gave the calendar in Google is seen by the follow and put back by the sync', async () => {
    const [calendar] = appCalendars();
    if (!calendar) throw new Error('no CanvasCal calendar');
    const zone = calendar.timeZone;
    calendar.timeZone = zone === 'Europe/Paris' ? 'Asia/Tokyo' : 'Europe/Paris';
    expect((await follow()).status).toBe('succeeded');
    e2e.google.resetCounts();
    expect((await sync()).status).toBe('succeeded');
    expect(googleRequests()).toEqual({ 'calendar.calendars.patch': 1 });
    expect(appCalendars()[0]?.timeZone).toBe(zone);
    e2e.google.resetCounts();
    expect((await sync()).googleCalls).toBe(0);
  });
}

describe('an unchanged sync on PGlite (embedded default)', () => {
  unchangedSyncSuite(async () => ({ env: {}, drop: async () => {} }));
});

describeWithPostgres('an unchanged sync on PostgreSQL', (adminUrl) => {
  unchangedSyncSuite(async () => {
    const db = await createTestDatabase(adminUrl);
    return { env: { DATABASE_URL: db.url }, drop: db.drop };
  });
});
