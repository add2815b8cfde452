import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type LiveApp, startLiveApp } from './live-app.ts';

// The receiver and the 30-second debounce on the embedded default (in-process queue), with
// fake timers: the window passes in a tick, and Google's work is read off the emulator's
// request counts.

let live: LiveApp;
beforeAll(async () => {
  live = await startLiveApp();
}, 60_000);
afterAll(() => live.close());
// Simulated time goes on from test to test (as it would in life), never back to the wall clock.
let simulatedNow = 0;
afterEach(() => {
  simulatedNow = Math.max(simulatedNow, Date.now());
  vi.useRealTimers();
});

const fakeTimers = () => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  vi.setSystemTime(Math.max(Date.now(), simulatedNow) + 60_000);
};
const eventsLists = () => live.google.requestCounts().byMethod['calendar.events.list'] ?? 0;
const finishedRuns = async () =>
  (await live.followRuns()).filter((r) => r.status === 'succeeded' || r.status === 'failed').length;
const settle = (check: () => Promise<void> | void) => vi.waitFor(check, { timeout: 10_000, interval: 10 });
const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

describe('a storm of notifications', () => {
  it('100 notifications per calendar inside 30 s are one incremental events.list per calendar', async () => {
    const app = live.channelOn('app');
    const primary = live.channelOn('primary');
    live.google.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'Storm check',
      start: { dateTime: `${day(2)}T10:00:00Z` },
      end: { dateTime: `${day(2)}T11:00:00Z` },
    });
    const runsBefore = await finishedRuns();
    const debouncedBefore = await live.counter('pushDebounced');
    live.google.resetCounts();
    fakeTimers();
    for (let i = 0; i < 100; i++) {
      for (const channel of [app, primary]) expect((await live.notify(channel)).statusCode).toBe(200);
      await vi.advanceTimersByTimeAsync(250);
    }
    // 25 s in: the window is still open and Google has not been asked anything.
    expect(eventsLists()).toBe(0);
    expect((await live.counter('pushDebounced')) - debouncedBefore).toBe(198);
    await vi.advanceTimersByTimeAsync(5_000);
    await settle(async () => expect(await finishedRuns()).toBe(runsBefore + 2));
    expect(eventsLists()).toBe(2);
    expect(live.google.requestCounts().total).toBe(2);
    const cached = await live.app.db.withSession((s) =>
      s.query<{ n: string }>("select count(*) as n from calendar_events where summary = 'Storm check'"),
    );
    expect(Number(cached[0]?.n)).toBe(1);
    // Nothing more is pending.
    await vi.advanceTimersByTimeAsync(120_000);
    expect(eventsLists()).toBe(2);
  });

  it('a notification while the sync runs schedules exactly one more sync, after it', async () => {
    const primary = live.channelOn('primary');
    const runsBefore = await finishedRuns();
    live.google.resetCounts();
    fakeTimers();
    // The sync's events.list takes 5 s (on the faked clock).
    live.google.setLatency(5_000, { method: 'calendar.events.list', count: 1 });
    await live.notify(primary);
    await vi.advanceTimersByTimeAsync(30_000);
    await settle(() => expect(live.google.requestCounts().byMethod['calendar.events.list'] ?? 0).toBe(0));
    // The first sync is running (its listing held 5 s): ten notifications arrive meanwhile.
    const joinedBefore = await live.counter('pushDebounced');
    for (let i = 0; i < 10; i++) await live.notify(primary);
    // The first of them starts the next window; the nine others join it.
    expect((await live.counter('pushDebounced')) - joinedBefore).toBe(9);
    await vi.advanceTimersByTimeAsync(5_000);
    await settle(async () => expect(await finishedRuns()).toBe(runsBefore + 1));
    expect(eventsLists()).toBe(1);
    await vi.advanceTimersByTimeAsync(30_000);
    await settle(async () => expect(await finishedRuns()).toBe(runsBefore + 2));
    expect(eventsLists()).toBe(2);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(eventsLists()).toBe(2);
  });
});

describe('notifications that must start nothing', () => {
  it('a sync message is acknowledged and starts nothing', async () => {
    live.google.resetCounts();
    fakeTimers();
    const res = await live.notify(live.channelOn('primary'), {
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
    });
    expect(res.statusCode).toBe(200);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(live.google.requestCounts().total).toBe(0);
  });

  it('forged token, unknown channel, wrong resource: 200, nothing enqueued, counted', async () => {
    const channel = live.channelOn('primary');
    const before = {
      forged: await live.notifications('forged'),
      unknown: await live.notifications('unknown'),
      wrong: await live.notifications('wrong_resource'),
    };
    live.google.resetCounts();
    fakeTimers();
    const answers = [
      await live.notify(channel, { 'x-goog-channel-token': 'guessed' }),
      await live.notify(channel, { 'x-goog-channel-token': undefined }),
      await live.notify(channel, { 'x-goog-channel-id': crypto.randomUUID() }),
      await live.notify(channel, { 'x-goog-channel-id': 'not-a-uuid' }),
      await live.notify(channel, { 'x-goog-resource-id': 'somebody-elses' }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200]);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(live.google.requestCounts().total).toBe(0);
    expect((await live.notifications('forged')) - before.forged).toBe(2);
    expect((await live.notifications('unknown')) - before.unknown).toBe(2);
    expect((await live.notifications('wrong_resource')) - before.wrong).toBe(1);
  });

  it('malformed or oversized requests get a 4xx', async () => {
    const channel = live.channelOn('primary');
    expect((await live.notify(channel, { 'x-goog-resource-state': 'bogus' })).statusCode).toBe(400);
    expect((await live.notify(channel, { 'x-goog-channel-id': undefined })).statusCode).toBe(400);
    expect((await live.notify(channel, { 'x-goog-resource-id': undefined })).statusCode).toBe(400);
    expect((await live.notify(channel, {}, 'x'.repeat(10_000))).statusCode).toBe(413);
  });

  it('a channel we stopped that still delivers starts nothing, and is stopped again at Google', async () => {
    const channel = live.channelOn('app');
    // As if our stop had been lost: stopped in our records, still live at Google.
    await live.channels.markStopped(channel.id, new Date());
    // The receiver trusts a row it read for 30 s; this channel was read by the storm above.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Math.max(Date.now(), simulatedNow) + 31_000);
    live.google.resetCounts();
    const res = await live.notify(channel);
    expect(res.statusCode).toBe(200);
    await settle(() => expect(live.google.channels().find((c) => c.id === channel.id)?.stopped).toBe(true));
    const counts = live.google.requestCounts().byMethod;
    expect(counts['calendar.channels.stop']).toBe(1);
    expect(counts['calendar.events.list']).toBeUndefined();
    expect(await live.notifications('stopped')).toBeGreaterThanOrEqual(1);
  });
});
