import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { createWatchChannelsRepo } from '../../src/db/watch-channels-repo.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// The calendar list is watched only when the grant lets CanvasCal list calendars; a
// reconnect that leaves that permission out stops the list channel.

let e2e: EmulatedApp;
beforeAll(async () => {
  e2e = await startEmulatedApp({ PORT: '0' });
}, 60_000);
afterAll(() => e2e.close());

const settle = (check: () => Promise<void> | void) => vi.waitFor(check, { timeout: 10_000, interval: 20 });
const liveAtGoogle = () => e2e.google.channels().filter((c) => !c.stopped && c.expiration > Date.now());

async function connectGranting(headers: Record<string, string>, scopes: string[]) {
  // Earlier grants would be added back (include_granted_scopes): start from none.
  e2e.google.revokeGrants(DEMO_STUDENT_EMAIL);
  const start = await e2e.http.inject({ url: '/api/v1/auth/google/url', headers });
  const redirect = new URL(
    e2e.google.approveConsent(start.json().url, { email: DEMO_STUDENT_EMAIL, grantScopes: scopes }),
  );
  const token = await e2e.http.inject({
    method: 'POST',
    url: '/api/v1/auth/google/token',
    headers,
    payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
  });
  expect(token.json().status).toBe('connected');
}

describe('the calendar-list channel and the grant', () => {
  it('is opened only when the grant can list calendars, and stopped when a reconnect leaves that out', async () => {
    const headers = await e2e.signIn('list-grant@example.edu');
    const userId: string = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
    const channels = createWatchChannelsRepo(e2e.app.db.orm);
    const liveRows = async () => (await channels.listForUser(userId)).filter((c) => !c.stoppedAt);

    await connectGranting(headers, [SCOPES.appCreated, SCOPES.calendarListReadonly, SCOPES.eventsFreebusy]);
    await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
    await settle(async () =>
      expect((await liveRows()).map((c) => c.kind).sort()).toEqual(['calendar_list', 'events']),
    );
    const listChannel = liveAtGoogle().find((c) => c.kind === 'calendarList');
    expect(listChannel).toBeDefined();

    await connectGranting(headers, [SCOPES.appCreated, SCOPES.eventsFreebusy]);
    await settle(async () => {
      const rows = await liveRows();
      expect(rows.map((c) => c.kind)).toEqual(['events']);
      expect(rows.some((c) => c.channelId === listChannel?.id)).toBe(false);
    });
    expect(liveAtGoogle().map((c) => c.kind)).toEqual(['events']);
    const outcome = await e2e.app.live?.keeper.ensure(userId);
    expect(outcome).toMatchObject({ opened: 0, stopped: 0 });
    expect(outcome?.skipped).toContain('reading the calendar list was not granted');
  });
});
