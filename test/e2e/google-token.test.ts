import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { DEMO_GOOGLE_CLIENT } from '../../emulators/google/google-emulator.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { createOAuthStatesRepo } from '../../src/db/oauth-states-repo.ts';
import { GoogleConnection } from '../../src/google/google-connection.ts';
import { createGoogleOAuth, endpointsAt, GoogleOAuthError } from '../../src/google/oauth-client.ts';
import { DEFAULT_SCOPES } from '../../src/google/scopes.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Access tokens live in memory: one refresh at a time per user, and a dead grant is never
// retried in a loop.

// Google's client library tries a token request that got an error answer this often, and one
// that got no answer (connection reset, timeout) this often, before it gives up.
const REFRESH_TRIES = 4;
const NO_ANSWER_TRIES = 3;

let e2e: EmulatedApp;
let userId: string;
let headers: Record<string, string>;
const refreshes = () => e2e.google.requestCounts().byOutcome['oauth.token 200'] ?? 0;
const refused = () => e2e.google.requestCounts().byOutcome['oauth.token 400'] ?? 0;

beforeAll(async () => {
  e2e = await startEmulatedApp();
  headers = await e2e.signIn('tokens@example.edu');
  await e2e.connectGoogle(headers);
  userId = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
});
afterAll(() => e2e.close());

describe('Google access tokens', () => {
  it('ten concurrent callers without a token share one refresh', async () => {
    const connection = e2e.app.google?.connection;
    if (!connection) throw new Error('no google');
    connection.invalidate(userId);
    e2e.google.resetCounts();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => connection.accessToken(userId)));
    expect(new Set(tokens).size).toBe(1);
    expect(refreshes()).toBe(1);
    // A token with time left is served from memory.
    await connection.accessToken(userId);
    expect(refreshes()).toBe(1);
  });

  it.each([
    [503, 'oauth.token 503', REFRESH_TRIES],
    [500, 'oauth.token 500', REFRESH_TRIES],
    [429, 'oauth.token 429', REFRESH_TRIES],
    ['reset', 'oauth.token reset', NO_ANSWER_TRIES],
  ] as const)(
    'Google\'s token endpoint failing (%s) is "unavailable", never "reconnect needed"',
    async (kind, outcome, tries) => {
      const connection = e2e.app.google?.connection;
      if (!connection) throw new Error('no google');
      connection.invalidate(userId);
      e2e.google.resetCounts();
      // More faults than one refresh makes tries: this refresh fails whatever its retries.
      e2e.google.failNext('oauth.token', kind, REFRESH_TRIES);
      await expect(connection.accessToken(userId)).rejects.toMatchObject({ code: 'google_unavailable' });
      expect(e2e.google.requestCounts().byOutcome).toEqual({ [outcome]: tries });
      expect((await connection.status(userId)).status).toBe('connected');
      const status = (await e2e.http.inject({ url: '/api/v1/auth/google', headers })).json();
      expect(status.status).toBe('connected');
      // Google is back: the next caller gets a token with one refresh.
      await expect(connection.accessToken(userId)).resolves.toEqual(expect.any(String));
      expect(refreshes()).toBe(1);
    },
  );

  it("Google refusing CanvasCal's own client is our fault: the student's connection stays", async () => {
    const { app } = e2e;
    const misconfigured = new GoogleConnection({
      oauth: createGoogleOAuth({
        clientId: DEMO_GOOGLE_CLIENT.clientId,
        clientSecret: 'not-the-secret',
        endpoints: endpointsAt(app.emulators?.google.url ?? ''),
      }),
      connections: createGoogleConnectionsRepo(app.db.orm),
      states: createOAuthStatesRepo(app.db.orm),
      sealer: app.cipher,
      stateKeys: app.cipher.deriveKeys('oauth-state'),
      redirectUri: 'http://127.0.0.1/callback',
      withUserLock: (_name, _userId, fn) => fn(),
    });
    e2e.google.resetCounts();
    await expect(misconfigured.accessToken(userId)).rejects.toMatchObject({ code: 'google_client_rejected' });
    expect(e2e.google.requestCounts().byOutcome).toEqual({ 'oauth.token 401': 1 });
    expect((await misconfigured.status(userId)).status).toBe('connected');
  });

  it('a revoked grant marks the connection "reconnect needed" once, and callers stop asking Google', async () => {
    const connection = e2e.app.google?.connection;
    if (!connection) throw new Error('no google');
    e2e.google.revokeGrants(DEMO_STUDENT_EMAIL);
    connection.invalidate(userId);
    e2e.google.resetCounts();
    await expect(connection.accessToken(userId)).rejects.toMatchObject({ code: 'google_reconnect_needed' });
    await expect(connection.accessToken(userId)).rejects.toMatchObject({ code: 'google_reconnect_needed' });
    expect(refused()).toBe(1);
    expect((await connection.status(userId)).status).toBe('reconnect_needed');
  });

  it('a token endpoint that does not answer times out as "unavailable" instead of hanging', async () => {
    const oauth = createGoogleOAuth({
      ...DEMO_GOOGLE_CLIENT,
      endpoints: endpointsAt(e2e.app.emulators?.google.url ?? ''),
      timeoutMs: 50,
    });
    const { codeVerifier, codeChallenge } = await oauth.createPkce();
    const redirectUri = 'http://127.0.0.1/callback';
    const consent = new URL(
      e2e.google.approveConsent(
        oauth.authUrl({ state: 's', codeChallenge, scopes: DEFAULT_SCOPES, redirectUri }),
        { email: DEMO_STUDENT_EMAIL },
      ),
    );
    const tokens = await oauth.exchangeCode({
      code: consent.searchParams.get('code') ?? '',
      codeVerifier,
      redirectUri,
    });
    // Last in this file: the emulator still answers the abandoned requests a second later.
    e2e.google.setLatency(1_000, { method: 'oauth.token', count: REFRESH_TRIES });
    const refused = await oauth.refresh(tokens.refreshToken ?? '').catch((error: unknown) => error);
    // A plain error, not a GoogleOAuthError: GoogleConnection reads it as "try again later".
    expect(refused).toBeInstanceOf(Error);
    expect(refused).not.toBeInstanceOf(GoogleOAuthError);
    expect(String(refused)).not.toContain(tokens.refreshToken ?? '');
  });
});
