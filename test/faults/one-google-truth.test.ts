import { afterEach, describe, expect, it } from 'vitest';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

/**
 * Issue 13, item 13: after a restart of the embedded default (its emulators start fresh, so
 * every connection becomes "reconnect needed") `/me` still said Google was connected.
 */
describe('every route tells the same Google connection state', () => {
  let e2e: EmulatedApp | undefined;
  afterEach(async () => {
    await e2e?.close();
    e2e = undefined;
  });

  const statesOf = async (app: EmulatedApp, headers: Record<string, string>) => {
    const me = (await app.http.inject({ url: '/api/v1/me', headers })).json().google;
    const auth = (await app.http.inject({ url: '/api/v1/auth/google', headers })).json();
    const sync = (await app.http.inject({ url: '/api/v1/sync/status', headers })).json().google;
    return {
      me: { connected: me.connected, status: me.status, message: me.message },
      auth: { status: auth.status, message: auth.message },
      sync: { status: sync.status, message: sync.message },
    };
  };

  it('connected, then "reconnect needed", then connected again, alike in /me, /auth/google and /sync/status', async () => {
    const app = await startEmulatedApp();
    e2e = app;
    const headers = await app.signIn('one-truth@example.edu');
    expect(await statesOf(app, headers)).toEqual({
      me: {
        connected: false,
        status: 'not_connected',
        message: 'Connect your Google account: GET /api/v1/auth/google/url.',
      },
      auth: { status: 'not_connected', message: 'Connect your Google account: GET /api/v1/auth/google/url.' },
      sync: { status: 'not_connected', message: 'Connect your Google account: GET /api/v1/auth/google/url.' },
    });

    await app.connectGoogle(headers);
    expect(await statesOf(app, headers)).toEqual({
      me: { connected: true, status: 'connected', message: undefined },
      auth: { status: 'connected', message: undefined },
      sync: { status: 'connected', message: undefined },
    });

    // What a restart with fresh emulators does to every stored connection (the token stays stored).
    await createGoogleConnectionsRepo(app.app.db.orm).markAllReconnectNeeded('the emulators restarted');
    const message =
      "Google no longer accepts CanvasCal's access (the emulators restarted); connect Google again.";
    expect(await statesOf(app, headers)).toEqual({
      me: { connected: false, status: 'reconnect_needed', message },
      auth: { status: 'reconnect_needed', message },
      sync: { status: 'reconnect_needed', message },
    });
    const sync = await app.http.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    expect(sync.statusCode).toBe(409);
    expect(sync.json().error).toEqual({ code: 'google_reconnect_needed', message });

    await app.connectGoogle(headers);
    expect((await statesOf(app, headers)).me).toEqual({
      connected: true,
      status: 'connected',
      message: undefined,
    });
  });
});
