import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CalendarApi } from '../../src/google/calendar-api.ts';
import { GoogleApiError } from '../../src/google/google-api-error.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

/**
 * Issue 13, item 8: a worker killed (or timed out) inside `calendars.insert` after Google made
 * the calendar. The answer is lost; the retry must find the calendar, not make a second one.
 */
describe('a calendars.insert whose answer is lost', () => {
  let e2e: EmulatedApp | undefined;
  afterEach(async () => {
    await e2e?.close();
    e2e = undefined;
  });

  const canvasCalCalendars = (app: EmulatedApp) =>
    [...app.google.state.calendars.values()].filter((c) => c.summary === 'CanvasCal' && !c.deleted);

  /** Google applies the first insert, then the connection dies before its answer arrives. */
  const loseFirstInsertAnswer = (app: EmulatedApp) => {
    const google = app.app.google;
    if (!google) throw new Error('no google');
    const real = google.calendarFor.bind(google);
    let lost = 0;
    google.calendarFor = (userId: string): CalendarApi => {
      const api = real(userId);
      return {
        ...api,
        get requestCount() {
          return api.requestCount;
        },
        async insertCalendar(calendar) {
          const created = await api.insertCalendar(calendar);
          if (lost > 0) return created;
          lost += 1;
          throw new GoogleApiError('transient', 0, 'connectionReset', 'socket hang up');
        },
      };
    };
    return () => lost;
  };

  it('is found on retry: one CanvasCal calendar, holding every event', async () => {
    const app = await startEmulatedApp({}, { retryBaseMs: { job: 5, google: 5, canvas: 5 } });
    e2e = app;
    const lost = loseFirstInsertAnswer(app);
    const headers = await app.signIn('lost-insert@example.edu');
    await app.connectGoogle(headers);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    const run = await app.run(headers, '/api/v1/sync/canvas');
    expect(lost()).toBe(1);
    expect(run.status).toBe('succeeded');
    expect(app.google.requestCounts().byMethod['calendar.calendars.insert']).toBe(1);
    const calendars = canvasCalCalendars(app);
    expect(calendars).toHaveLength(1);
    const events = [...(app.google.state.events.get(calendars[0]?.id ?? '')?.values() ?? [])];
    expect(events.length).toBe(run.counts.created);
    expect(run.counts.created).toBeGreaterThan(0);

    // A later sync changes nothing and still makes no calendar.
    expect((await app.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    expect(canvasCalCalendars(app)).toHaveLength(1);
  });

  it("another user's marked calendar in the same account is not adopted", async () => {
    const app = await startEmulatedApp({}, { retryBaseMs: { job: 5, google: 5, canvas: 5 } });
    e2e = app;
    const first = await app.signIn('first@example.edu');
    await app.connectGoogle(first);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers: first });
    expect((await app.run(first, '/api/v1/sync/canvas')).status).toBe('succeeded');
    // A second CanvasCal user connecting the same Google account gets a calendar of its own.
    const second = await app.signIn('second@example.edu');
    await app.connectGoogle(second);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers: second });
    expect((await app.run(second, '/api/v1/sync/canvas')).status).toBe('succeeded');
    expect(canvasCalCalendars(app)).toHaveLength(2);
  });

  it('a create Google applies after its timeout, once a retry made the calendar, is deleted by the next sync', async () => {
    const app = await startEmulatedApp(
      { GOOGLE_TIMEOUT_MS: '200' },
      { retryBaseMs: { job: 5, google: 5, canvas: 5 } },
    );
    e2e = app;
    const headers = await app.signIn('late-insert@example.edu');
    await app.connectGoogle(headers);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    // Held past the timeout, then applied: the first sync has long made its own calendar.
    app.google.setLatency(1_500, { method: 'calendar.calendars.insert', count: 1 });
    expect((await app.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    await vi.waitFor(() => expect(app.google.requestCounts().byMethod['calendar.calendars.insert']).toBe(2), {
      timeout: 20_000,
      interval: 20,
    });
    expect(canvasCalCalendars(app)).toHaveLength(2);
    const inUse = canvasCalCalendars(app).find((c) => app.google.state.events.get(c.id)?.size);

    expect((await app.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    expect(canvasCalCalendars(app).map((c) => c.id)).toEqual([inUse?.id]);
    expect(app.google.requestCounts().byMethod['calendar.calendars.delete']).toBe(1);
  });
});
