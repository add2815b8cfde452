import { expect, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import type { ChannelInfo } from '../../emulators/google/push-channels.ts';
import type { AppOptions } from '../../src/app.ts';
import type { Env } from '../../src/config.ts';
import { createSyncRunsRepo } from '../../src/db/sync-runs-repo.ts';
import { createWatchChannelsRepo } from '../../src/db/watch-channels-repo.ts';
import { startEmulatedApp } from '../support/emulated-app.ts';

/**
 * A CanvasCal on both emulators with one student whose Google (primary events included) and
 * Canvas are connected, the first Canvas sync done (it creates the app calendar, which opens
 * the push channels: app calendar, primary calendar, calendar list) and a first follow done
 * (so later follows are incremental).
 * PORT=0: unless `listen` is set, the address given to Google refuses connections, so the
 * emulator's own deliveries go nowhere and a test alone decides what notifications arrive.
 */
export async function startLiveApp(
  options: { listen?: boolean; env?: Env } & Pick<
    AppOptions,
    'pushDebounceMs' | 'retryBaseMs' | 'queuePrefix'
  > = {},
) {
  const e2e = await startEmulatedApp(
    { PORT: '0', ...options.env },
    {
      retryBaseMs: options.retryBaseMs ?? { job: 20, google: 10, canvas: 10 },
      ...(options.pushDebounceMs !== undefined ? { pushDebounceMs: options.pushDebounceMs } : {}),
      ...(options.queuePrefix !== undefined ? { queuePrefix: options.queuePrefix } : {}),
    },
  );
  if (options.listen) await e2e.app.listen();
  const headers = await e2e.signIn('live@example.edu');
  const userId: string = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
  await e2e.connectGoogle(headers, { includePrimaryEvents: true });
  await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
  expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
  const live = () => e2e.google.channels().filter((c) => !c.stopped && c.expiration > Date.now());
  await vi.waitFor(() => expect(live()).toHaveLength(3), { timeout: 10_000, interval: 20 });
  expect((await e2e.run(headers, '/api/v1/sync/calendars')).status).toBe('succeeded');
  // At the emulator the primary calendar's id is the account's address.
  const appCalendarId =
    live().find((c) => c.kind === 'events' && c.calendarId !== DEMO_STUDENT_EMAIL)?.calendarId ?? '';
  const channels = createWatchChannelsRepo(e2e.app.db.orm);
  const runs = createSyncRunsRepo(e2e.app.db.orm);

  return {
    ...e2e,
    headers,
    userId,
    appCalendarId,
    channels,
    /** The live channels at the emulator. */
    live,
    /** The live channel on the app calendar, on the primary one, or on the calendar list. */
    channelOn(which: 'app' | 'primary' | 'list'): ChannelInfo {
      const found = live().find((c) =>
        which === 'list'
          ? c.kind === 'calendarList'
          : c.kind === 'events' && (which === 'app') === (c.calendarId === appCalendarId),
      );
      if (!found)
        throw new Error(`no live channel on the ${which === 'list' ? 'calendar list' : `${which} calendar`}`);
      return found;
    },
    /** Posts one notification as Google would, for `channel` unless headers say otherwise. */
    notify(channel: ChannelInfo, overrides: Record<string, string | undefined> = {}, body?: string) {
      const headers: Record<string, string> = {};
      const all: Record<string, string | undefined> = {
        'content-type': 'application/json; utf-8',
        'x-goog-channel-id': channel.id,
        'x-goog-channel-token': channel.token,
        'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
        'x-goog-resource-id': channel.resourceId,
        'x-goog-resource-uri': channel.resourceUri,
        'x-goog-resource-state': 'exists',
        'x-goog-message-number': '2',
        ...overrides,
      };
      for (const [name, value] of Object.entries(all)) if (value !== undefined) headers[name] = value;
      return e2e.http.inject({ method: 'POST', url: '/webhooks/google', headers, payload: body ?? '' });
    },
    /** The follow runs of this user, newest first. */
    followRuns: () => runs.latest(userId, 'calendars', 50),
    async counter(name: 'pushDebounced' | 'pushSyncs'): Promise<number> {
      return (await e2e.app.metrics[name].get()).values[0]?.value ?? 0;
    },
    async notifications(outcome: string): Promise<number> {
      const values = (await e2e.app.metrics.pushNotifications.get()).values;
      return values.find((v) => v.labels.outcome === outcome)?.value ?? 0;
    },
  };
}

export type LiveApp = Awaited<ReturnType<typeof startLiveApp>>;
