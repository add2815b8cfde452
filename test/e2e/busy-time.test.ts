import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// The planner and the availability API stand on one busy map: free/busy over every counted
// calendar, with anything unreadable as unknown, never free.

let e2e: EmulatedApp;
let headers: Record<string, string>;
let job: string;
const jobShifts: Array<{ start: number; end: number }> = [];

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) =>
  a.start < b.end && b.start < a.end;

beforeAll(async () => {
  e2e = await startEmulatedApp();
  headers = await e2e.signIn('busy@example.edu');
  await e2e.connectGoogle(headers);
  await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
  expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
  // A selected "Job" calendar the planner has never heard of: 10:00–20:00 UTC every day.
  job = e2e.google.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Job', timeZone: 'UTC' });
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  for (let day = 0; day < 30; day++) {
    const start = today + day * 86_400_000 + 10 * 3_600_000;
    const end = start + 10 * 3_600_000;
    jobShifts.push({ start, end });
    e2e.google.userInsertEvent(job, {
      summary: 'Shift',
      start: { dateTime: new Date(start).toISOString() },
      end: { dateTime: new Date(end).toISOString() },
    });
  }
});
afterAll(() => e2e.close());

describe('busy time for the planner and the availability API', () => {
  it('the planner never places a session in a busy calendar the student shows in Google', async () => {
    const plan = await e2e.http.inject({ method: 'POST', url: '/api/v1/planner/preview', headers });
    expect(plan.statusCode).toBe(200);
    const sessions = plan.json().sessions as Array<{ start: string; end: string }>;
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) {
      const session = { start: Date.parse(s.start), end: Date.parse(s.end) };
      expect(jobShifts.some((shift) => overlaps(shift, session))).toBe(false);
    }
  });

  it('a chosen calendar that disappeared is unknown, never free, and the settings say so', async () => {
    const put = await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/calendars',
      headers,
      payload: { preferredCalendars: ['primary', job] },
    });
    expect(put.statusCode).toBe(200);
    e2e.google.userDeleteCalendar(job);

    const from = new Date(Date.now() + 86_400_000);
    const to = new Date(from.getTime() + 3 * 86_400_000);
    const availability = await e2e.http.inject({
      url: `/api/v1/availability?from=${from.toISOString()}&to=${to.toISOString()}`,
      headers,
    });
    expect(availability.statusCode).toBe(200);
    expect(availability.json().unknown).toEqual([
      { start: from.toISOString(), end: to.toISOString(), calendarIds: [job], reason: 'notInCalendarList' },
    ]);
    expect(availability.json().free).toEqual([]);

    const settings = (await e2e.http.inject({ url: '/api/v1/settings/calendars', headers })).json();
    expect(settings.missing).toEqual([job]);
    expect(settings.message).toMatch(/no longer in your Google calendar list/);

    const plan = await e2e.http.inject({ method: 'POST', url: '/api/v1/planner/preview', headers });
    expect(plan.json().sessions).toEqual([]);
    await e2e.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/calendars',
      headers,
      payload: { preferredCalendars: ['primary'] },
    });
  });

  it("CanvasCal's own calendar counts only when study blocks are asked for", async () => {
    const app = [...e2e.google.state.calendars.values()].find((c) => c.summary === 'CanvasCal' && !c.deleted);
    if (!app) throw new Error('no CanvasCal calendar');
    type Interval = { start: string; end: string };
    const busyOf = async (from: number, to: number, extra = '') => {
      const res = await e2e.http.inject({
        url: `/api/v1/availability?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}${extra}`,
        headers,
      });
      expect(res.statusCode).toBe(200);
      return (res.json().busy as Interval[]).map((b) => ({
        start: Date.parse(b.start),
        end: Date.parse(b.end),
      }));
    };
    // The block goes in the first gap of at least three hours that the seeded calendars
    // leave, five days from now: chosen from what the calendars hold, never by chance, so the
    // seed's shifts (whose hours fall on different UTC days as the date moves) cannot touch it.
    const dayStart = Date.now() + 5 * 86_400_000;
    const seen = await busyOf(dayStart, dayStart + 2 * 86_400_000);
    let gapStart = dayStart;
    for (const b of [...seen, { start: dayStart + 2 * 86_400_000, end: dayStart + 2 * 86_400_000 }]) {
      if (b.start - gapStart >= 3 * 3_600_000) break;
      gapStart = Math.max(gapStart, b.end);
    }
    const start = gapStart + 3_600_000;
    const block = { start, end: start + 3_600_000 };
    expect(block.end + 3_600_000).toBeLessThanOrEqual(dayStart + 2 * 86_400_000);
    // An opaque event, as a study block will be (deadline events are transparent).
    e2e.google.userInsertEvent(app.id, {
      summary: 'Study: essay',
      start: { dateTime: new Date(block.start).toISOString() },
      end: { dateTime: new Date(block.end).toISOString() },
    });
    const [from, to] = [block.start - 3_600_000, block.end + 3_600_000];
    expect(await busyOf(from, to)).toEqual([]);
    expect(await busyOf(from, to, '&includeStudyBlocks=true')).toEqual([block]);
  });
});
