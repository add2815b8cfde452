import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import type { ChannelInfo } from '../../emulators/google/push-channels.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { createChannelKeeper } from '../../src/live/channel-keeper.ts';
import type { QueueEvent } from '../../src/queue/queue.ts';
import { type LiveApp, startLiveApp } from './live-app.ts';

// Channel upkeep on the embedded default. Only the clock (Date) is faked, from before the
// app starts, so CanvasCal and the Google emulator read the same simulated time (from a fixed
// day, not today), and HTTP still runs on real timers.

let live: LiveApp;
beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(new Date('2031-03-03T09:00:00Z'));
  live = await startLiveApp();
}, 60_000);
afterAll(async () => {
  await live.close();
  vi.useRealTimers();
});

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const settle = (check: () => Promise<void> | void) => vi.waitFor(check, { timeout: 15_000, interval: 10 });
const liveAtGoogle = () => live.google.channels().filter((c) => !c.stopped && c.expiration > Date.now());
/** What CanvasCal watches for this student: the app calendar, the primary one, the calendar list. */
const watched = () => [
  {
    what: 'app calendar',
    is: (c: ChannelInfo) => c.kind === 'events' && c.calendarId === live.appCalendarId,
  },
  {
    what: 'primary calendar',
    is: (c: ChannelInfo) => c.kind === 'events' && c.calendarId === DEMO_STUDENT_EMAIL,
  },
  { what: 'calendar list', is: (c: ChannelInfo) => c.kind === 'calendarList' },
];
const services = () => {
  const { google, live: liveUpdates } = live.app;
  if (!google || !liveUpdates) throw new Error('the app has no Google');
  return { google, liveUpdates };
};

describe('renewal', () => {
  it('the channels opened at connect time ask for the longest life and record it', async () => {
    const ours = (await live.channels.listForUser(live.userId)).filter((c) => !c.stoppedAt);
    expect(ours.map((c) => c.kind).sort()).toEqual(['calendar_list', 'events', 'events']);
    for (const channel of ours) {
      const atGoogle = live.google.channels().find((c) => c.id === channel.channelId);
      expect(atGoogle?.resourceId).toBe(channel.resourceId);
      expect(atGoogle?.expiration).toBe(channel.expiration.getTime());
      // The emulator grants at most 30 days, as asked.
      expect(channel.expiration.getTime() - channel.createdAt.getTime()).toBeGreaterThan(29 * DAY);
      // The token is stored only as a hash.
      expect(channel.tokenHash).not.toBe(atGoogle?.token);
    }
    const settings = await createUsersRepo(live.app.db.orm).getCalendarSettings(live.userId);
    expect(settings.watch_expiration).toBe(
      new Date(Math.min(...ours.map((c) => c.expiration.getTime()))).toISOString(),
    );
  });

  it('over 30 simulated days with 7-day channels, a calendar is never without a live channel', async () => {
    const { google, liveUpdates } = services();
    // Start over with channels that expire every 7 days.
    await liveUpdates.keeper.stopAll(live.userId);
    expect(liveAtGoogle()).toHaveLength(0);
    const earlier = new Set(live.google.channels().map((c) => c.id));
    const keeper = createChannelKeeper({
      channels: live.channels,
      connections: createGoogleConnectionsRepo(live.app.db.orm),
      channelsFor: (userId) => google.channelsFor(userId),
      keys: live.app.cipher.deriveKeys('watch-channel-token'),
      address: liveUpdates.webhookAddress,
      ttlSeconds: 7 * 86_400,
    });
    let opened = (await keeper.ensure(live.userId)).opened;
    expect(opened).toBe(3);
    const start = Date.now();
    for (let hour = 1; hour <= 30 * 24; hour++) {
      vi.setSystemTime(start + hour * HOUR);
      // The daily job, at some hour of the day.
      if (hour % 24 === 5) opened += (await keeper.ensure(live.userId)).opened;
      const liveNow = liveAtGoogle();
      for (const { what, is } of watched()) expect(liveNow.some(is), `${what} at hour ${hour}`).toBe(true);
    }
    // A 7-day channel is renewed when under 48 h are left: about every 5 days, per channel.
    expect(opened).toBeGreaterThanOrEqual(3 + 15);
    expect(opened).toBeLessThanOrEqual(3 + 21);
    // Every replaced channel was stopped at Google; the only live ones are those we record.
    const recorded = (await live.channels.listForUser(live.userId)).filter((c) => !c.stoppedAt);
    expect(new Set(liveAtGoogle().map((c) => c.id))).toEqual(new Set(recorded.map((c) => c.channelId)));
    const replaced = live.google
      .channels()
      .filter((c) => !earlier.has(c.id) && !recorded.some((r) => r.channelId === c.id));
    expect(replaced.length).toBe(opened - 3);
    expect(replaced.every((c) => c.stopped)).toBe(true);
    const settings = await createUsersRepo(live.app.db.orm).getCalendarSettings(live.userId);
    expect(settings.watch_expiration).toBe(
      new Date(Math.min(...recorded.map((c) => c.expiration.getTime()))).toISOString(),
    );
  });

  it('a failed renewal is retried with backoff until it succeeds', async () => {
    const { liveUpdates } = services();
    const events: QueueEvent[] = [];
    live.app.queue.onEvent((e) => events.push(e));
    // Every channel is inside its renewal window now.
    vi.setSystemTime(Date.now() + 6 * DAY);
    live.google.failNext('calendar.events.watch', 503, 2);
    await liveUpdates.enqueue.ensureChannels(live.userId);
    await settle(() => expect(events).toContainEqual({ name: 'watch-channels', outcome: 'completed' }));
    expect(events.filter((e) => e.name === 'watch-channels').map((e) => e.outcome)).toEqual([
      'retried',
      'retried',
      'completed',
    ]);
    for (const { what, is } of watched()) expect(liveAtGoogle().filter(is), what).toHaveLength(1);
  });

  it('after a key rotation, the next renewal replaces channels hashed under the old key', async () => {
    const { google, liveUpdates } = services();
    const before = (await live.channels.listForUser(live.userId)).filter((c) => !c.stoppedAt);
    const rotated = createChannelKeeper({
      channels: live.channels,
      connections: createGoogleConnectionsRepo(live.app.db.orm),
      channelsFor: (userId) => google.channelsFor(userId),
      // A new key first; the old one still verifies until the channels are replaced.
      keys: [randomBytes(32), ...live.app.cipher.deriveKeys('watch-channel-token')],
      address: liveUpdates.webhookAddress,
    });
    expect(await rotated.ensure(live.userId)).toMatchObject({ opened: 3, stopped: 3 });
    const stoppedAtGoogle = live.google.channels().filter((c) => before.some((b) => b.channelId === c.id));
    expect(stoppedAtGoogle.every((c) => c.stopped)).toBe(true);
    expect(await rotated.ensure(live.userId)).toMatchObject({ opened: 0, stopped: 0 });
  });

  it('after invalid_grant, renewal stops and the connection says reconnect', async () => {
    const { liveUpdates } = services();
    const events: QueueEvent[] = [];
    live.app.queue.onEvent((e) => events.push(e));
    live.google.revokeGrants(DEMO_STUDENT_EMAIL);
    // Past the cached access token, and inside every channel's renewal window.
    vi.setSystemTime(Date.now() + 29 * DAY);
    await liveUpdates.enqueue.ensureChannels(live.userId);
    await settle(() => expect(events).toContainEqual({ name: 'watch-channels', outcome: 'failed' }));
    expect(events.filter((e) => e.outcome === 'retried')).toEqual([]);
    // (The simulated weeks outlived the sign-in: sign in again.)
    const headers = await live.signIn('live@example.edu');
    const status = await live.http.inject({ url: '/api/v1/auth/google', headers });
    expect(status.json().status).toBe('reconnect_needed');
    // The daily run leaves the user alone from now on.
    live.google.resetCounts();
    await liveUpdates.enqueue.renewAll();
    await settle(() => expect(events).toContainEqual({ name: 'watch-channels-renew', outcome: 'completed' }));
    expect(live.google.requestCounts().total).toBe(0);
  });

  it('reconnecting after that replaces the channels of the revoked grant', async () => {
    const before = (await live.channels.listForUser(live.userId)).filter((c) => !c.stoppedAt);
    expect(before).toHaveLength(3);
    const headers = await live.signIn('live@example.edu');
    await live.connectGoogle(headers, { includePrimaryEvents: true });
    await settle(async () => {
      const now = (await live.channels.listForUser(live.userId)).filter((c) => !c.stoppedAt);
      expect(now).toHaveLength(3);
      expect(now.some((c) => before.some((b) => b.channelId === c.channelId))).toBe(false);
    });
    for (const { what, is } of watched()) expect(liveAtGoogle().filter(is), what).toHaveLength(1);
  });
});
