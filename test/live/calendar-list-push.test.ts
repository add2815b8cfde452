import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { CALENDAR_LIST } from '../../src/live/channel-keeper.ts';
import { type LiveApp, startLiveApp } from './live-app.ts';

// The calendar-list channel on the embedded default (in-process queue), with fake timers as
// in push-debounce.test.ts. Nothing in CanvasCal keeps the calendar list: availability reads
// it from Google at each query. So what a list notification starts is a follow of every
// followed calendar, debounced like the event channels; the tests check both halves.

let live: LiveApp;
beforeAll(async () => {
  live = await startLiveApp();
}, 60_000);
afterAll(() => live.close());
let simulatedNow = 0;
afterEach(() => {
  simulatedNow = Math.max(simulatedNow, Date.now());
  vi.useRealTimers();
});

const fakeTimers = () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(Math.max(Date.now(), simulatedNow) + 60_000);
};
const finishedRuns = async () =>
  (await live.followRuns()).filter((r) => r.status === 'succeeded' || r.status === 'failed').length;
const settle = (check: () => Promise<void> | void) => vi.waitFor(check, { timeout: 10_000, interval: 10 });
const dayAt = (days: number, hour: number) => {
  const d = new Date(Date.now() + days * 86_400_000);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};
async function availability(from: Date, to: Date) {
  const res = await live.http.inject({
    url: `/api/v1/availability?from=${from.toISOString()}&to=${to.toISOString()}`,
    headers: live.headers,
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { calendars: string[]; busy: Array<{ start: string; end: string }> };
}

describe('the calendar-list channel', () => {
  it('is opened with the others, recorded with its kind', async () => {
    const channel = live.channelOn('list');
    const row = await live.channels.get(channel.id);
    expect(row).toMatchObject({
      userId: live.userId,
      calendarId: CALENDAR_LIST,
      kind: 'calendar_list',
      resourceId: channel.resourceId,
    });
    expect(channel.resourceUri).toMatch(/\/calendar\/v3\/users\/me\/calendarList\?alt=json$/);
  });

  it('a calendar the student adds in Google: its notifications make one follow after 30 s, and it counts', async () => {
    const list = live.channelOn('list');
    fakeTimers();
    const from = dayAt(3, 0);
    const to = dayAt(4, 0);
    const added = live.google.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Work shifts' });
    const shift = { start: dayAt(3, 9), end: dayAt(3, 13) };
    live.google.userInsertEvent(added, {
      summary: 'Shift',
      start: { dateTime: shift.start.toISOString() },
      end: { dateTime: shift.end.toISOString() },
    });
    // The emulator tried to deliver one calendar-list message (to an address that refuses, in
    // this app); the test posts what Google would have, a storm of them.
    await live.google.flushDeliveries();
    const runsBefore = await finishedRuns();
    const joinedBefore = await live.counter('pushDebounced');
    const syncsBefore = await live.counter('pushSyncs');
    live.google.resetCounts();
    for (let i = 0; i < 20; i++) {
      expect((await live.notify(list, { 'x-goog-message-number': String(i + 2) })).statusCode).toBe(200);
      await vi.advanceTimersByTimeAsync(500);
    }
    expect((await live.counter('pushDebounced')) - joinedBefore).toBe(19);
    expect(live.google.requestCounts().total).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000);
    await settle(async () => expect(await finishedRuns()).toBe(runsBefore + 1));
    expect((await live.counter('pushSyncs')) - syncsBefore).toBe(1);
    // One follow of every followed calendar (the app's and the primary), incremental.
    expect(live.google.requestCounts().byMethod).toEqual({ 'calendar.events.list': 2 });
    const [run] = await live.followRuns();
    expect(run?.status).toBe('succeeded');
    // The new calendar counts, its shift busy (availability lists calendars at each query).
    const answer = await availability(from, to);
    expect(answer.calendars).toContain(added);
    expect(answer.busy).toContainEqual({ start: shift.start.toISOString(), end: shift.end.toISOString() });
    // Nothing more is pending.
    live.google.resetCounts();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(live.google.requestCounts().total).toBe(0);
  });

  it('a calendar unticked in Google stops counting at the next query', async () => {
    const from = dayAt(3, 0);
    const to = dayAt(4, 0);
    const added = live.google.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Choir' });
    expect((await availability(from, to)).calendars).toContain(added);
    live.google.userUpdateCalendarListEntry(DEMO_STUDENT_EMAIL, added, { selected: false });
    expect((await availability(from, to)).calendars).not.toContain(added);
  });

  it('a sync message, a forged token, an unknown channel or a wrong resource on it start nothing', async () => {
    const list = live.channelOn('list');
    const before = {
      sync: await live.notifications('sync'),
      forged: await live.notifications('forged'),
      unknown: await live.notifications('unknown'),
      wrong: await live.notifications('wrong_resource'),
    };
    const runsBefore = (await live.followRuns()).length;
    live.google.resetCounts();
    fakeTimers();
    const answers = [
      await live.notify(list, { 'x-goog-resource-state': 'sync', 'x-goog-message-number': '1' }),
      await live.notify(list, { 'x-goog-channel-token': 'guessed' }),
      await live.notify(list, { 'x-goog-channel-id': crypto.randomUUID() }),
      await live.notify(list, { 'x-goog-resource-id': live.channelOn('primary').resourceId }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(live.google.requestCounts().total).toBe(0);
    expect((await live.followRuns()).length).toBe(runsBefore);
    expect((await live.notifications('sync')) - before.sync).toBe(1);
    expect((await live.notifications('forged')) - before.forged).toBe(1);
    expect((await live.notifications('unknown')) - before.unknown).toBe(1);
    expect((await live.notifications('wrong_resource')) - before.wrong).toBe(1);
  });
});
