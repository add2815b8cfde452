import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { type LiveApp, startLiveApp } from './live-app.ts';

// End to end on the embedded default: CanvasCal listens, the Google emulator delivers its
// push notifications to PUBLIC_URL/webhooks/google over HTTP, and nothing is injected. The
// debounce window is shrunk to 200 ms, and the test waits on outcomes, never on a sleep.

let live: LiveApp;
beforeAll(async () => {
  live = await startLiveApp({ listen: true, pushDebounceMs: 200 });
}, 60_000);
afterAll(() => live.close());

const settle = (check: () => Promise<void> | void) => vi.waitFor(check, { timeout: 15_000, interval: 20 });
const cachedSummaries = async () =>
  (
    await live.app.db.withSession((s) =>
      s.query<{ summary: string }>('select summary from calendar_events where user_id = $1', [live.userId]),
    )
  ).map((r) => r.summary);

describe('live updates, end to end', () => {
  it("Google's sync messages reached the receiver when the channels opened", async () => {
    expect(live.app.live?.webhookAddress()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhooks\/google$/);
    await live.google.flushDeliveries();
    expect(live.google.deliveryCounts().failed).toBe(0);
    expect(await live.notifications('sync')).toBeGreaterThanOrEqual(3);
  });

  it('a change made in Google reaches the cache through a real push delivery', async () => {
    const day = new Date(Date.now() + 4 * 86_400_000).toISOString().slice(0, 10);
    const syncsBefore = await live.counter('pushSyncs');
    live.google.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'Pushed: study group',
      start: { dateTime: `${day}T17:00:00Z` },
      end: { dateTime: `${day}T18:00:00Z` },
    });
    await settle(async () => expect(await cachedSummaries()).toContain('Pushed: study group'));
    await live.google.flushDeliveries();
    expect(await live.notifications('change')).toBeGreaterThanOrEqual(1);
    // One push follow, or none when it found a follow of every calendar already queued and
    // joined it (a slow machine can still have one from the channels' own first messages).
    expect((await live.counter('pushSyncs')) - syncsBefore).toBeLessThanOrEqual(1);
    const metrics = await live.http.inject('/metrics');
    expect(metrics.body).toMatch(/canvascal_push_notifications_total\{outcome="change"\} [1-9]/);
    expect(metrics.body).toMatch(/canvascal_push_channels\{state="live"\} 3/);
    expect(metrics.body).toMatch(/canvascal_push_channel_earliest_expiration_seconds \d+/);
  });

  it('a calendar the student adds in Google starts one follow through a real calendar-list delivery', async () => {
    await live.google.flushDeliveries();
    const syncsBefore = await live.counter('pushSyncs');
    const changesBefore = await live.notifications('change');
    const sentBefore = live.google.deliveryCounts().sent;
    live.google.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Pushed: club meetings' });
    await live.google.flushDeliveries();
    expect(live.google.deliveryCounts().sent - sentBefore).toBe(1);
    expect((await live.notifications('change')) - changesBefore).toBe(1);
    await settle(async () => expect((await live.counter('pushSyncs')) - syncsBefore).toBe(1));
  });

  it('disconnecting Google stops every channel at Google before revoking, and forgets them', async () => {
    const ids = live.live().map((c) => c.id);
    expect(
      live
        .live()
        .map((c) => c.kind)
        .sort(),
    ).toEqual(['calendarList', 'events', 'events']);
    const res = await live.http.inject({
      method: 'DELETE',
      url: '/api/v1/auth/google',
      headers: live.headers,
    });
    expect(res.statusCode).toBe(204);
    const atGoogle = live.google.channels().filter((c) => ids.includes(c.id));
    expect(atGoogle.every((c) => c.stopped)).toBe(true);
    expect(await live.channels.listForUser(live.userId)).toEqual([]);
    expect(
      (await createUsersRepo(live.app.db.orm).getCalendarSettings(live.userId)).watch_expiration,
    ).toBeNull();
    const stops = live.google.requestCounts().byOutcome['calendar.channels.stop 204'];
    expect(stops).toBeGreaterThanOrEqual(3);
  });
});
