import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

const LOOPBACK = 'http://127.0.0.1:8080';
let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
});
afterEach(() => emulator.close());

/** google-auth-library's own client, pointed at the emulator. */
function client(options: { clientId?: string; clientSecret?: string; redirectUri?: string } = {}) {
  return new OAuth2Client({
    clientId: options.clientId ?? DEMO_GOOGLE_CLIENT.clientId,
    clientSecret: options.clientSecret ?? DEMO_GOOGLE_CLIENT.clientSecret,
    ...(options.redirectUri ? { redirectUri: options.redirectUri } : {}),
    endpoints: {
      oauth2AuthBaseUrl: `${emulator.url}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${emulator.url}/token`,
      oauth2RevokeUrl: `${emulator.url}/revoke`,
    },
    transporterOptions: { fetchImplementation: fetch },
  });
}

/** `"<status> <error>"` of a failed token request. */
async function oauthError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as { status?: number; response?: { status?: number; data?: { error?: string } } };
    return `${e.response?.status ?? e.status} ${e.response?.data?.error ?? ''}`;
  }
  return 'no error';
}

/** Consent as the demo student; the code from the redirect. */
function consent(url: string): string {
  const redirect = new URL(emulator.control.approveConsent(url, { email: DEMO_STUDENT_EMAIL }));
  return redirect.searchParams.get('code') ?? '';
}

const authUrl = (auth: OAuth2Client, extra: Record<string, string> = {}) =>
  auth.generateAuthUrl({ scope: [SCOPES.calendarListReadonly], state: 's', ...extra });

describe('/token refuses incomplete requests as Google does', () => {
  it('answers invalid_request for a missing code, redirect_uri, grant_type or refresh_token', async () => {
    const auth = client({ redirectUri: LOOPBACK });
    expect(await oauthError(auth.getToken({ code: undefined as unknown as string }))).toBe(
      '400 invalid_request',
    );
    const code = consent(authUrl(auth));
    // This client has no redirect URI of its own, so google-auth-library sends none.
    expect(await oauthError(client().getToken({ code }))).toBe('400 invalid_request');
    const post = (data: Record<string, string>) =>
      auth.transporter.request({
        url: `${emulator.url}/token`,
        method: 'POST',
        data: new URLSearchParams({ ...DEMO_GOOGLE_CLIENT_FORM, ...data }),
      });
    expect(await oauthError(post({ code, redirect_uri: LOOPBACK }))).toBe('400 invalid_request');
    expect(await oauthError(post({ grant_type: 'refresh_token' }))).toBe('400 invalid_request');
    expect(await oauthError(post({ grant_type: 'password', username: 'u' }))).toBe(
      '400 unsupported_grant_type',
    );
    // The code was never spent by the refused requests.
    expect((await auth.getToken({ code })).tokens.access_token).toMatch(/^ya29\./);
  });

  it('answers invalid_grant "Missing code verifier." when a PKCE code comes back without one', async () => {
    const auth = client({ redirectUri: LOOPBACK });
    const { codeChallenge } = await auth.generateCodeVerifierAsync();
    const code = consent(
      authUrl(auth, { code_challenge: codeChallenge ?? '', code_challenge_method: CodeChallengeMethod.S256 }),
    );
    const refused = await auth.getToken({ code }).catch((e: unknown) => e);
    expect((refused as { response?: { data?: unknown } }).response?.data).toEqual({
      error: 'invalid_grant',
      error_description: 'Missing code verifier.',
    });
  });

  it('accepts PKCE plain: the verifier itself is the challenge', async () => {
    const auth = client({ redirectUri: LOOPBACK });
    const verifier = 'v'.repeat(43);
    const url = authUrl(auth, { code_challenge: verifier, code_challenge_method: CodeChallengeMethod.Plain });
    expect(await oauthError(auth.getToken({ code: consent(url), codeVerifier: 'w'.repeat(43) }))).toBe(
      '400 invalid_grant',
    );
    const tokens = await auth.getToken({ code: consent(url), codeVerifier: verifier });
    expect(tokens.tokens.access_token).toMatch(/^ya29\./);
  });
});

const DEMO_GOOGLE_CLIENT_FORM = {
  client_id: DEMO_GOOGLE_CLIENT.clientId,
  client_secret: DEMO_GOOGLE_CLIENT.clientSecret,
};

describe('redirect URIs', () => {
  it('takes any loopback URI for the demo client, compared exactly at /token, query strings included', async () => {
    for (const redirectUri of [LOOPBACK, 'http://localhost/cb?x=1&y=2', 'http://[::1]:9/cb']) {
      const auth = client({ redirectUri });
      const code = consent(authUrl(auth));
      expect(
        new URL(emulator.control.approveConsent(authUrl(auth), { email: DEMO_STUDENT_EMAIL })).href,
      ).toContain(redirectUri.replace(/\?.*/, ''));
      // The same URI normalised (a trailing slash) is another string: Google refuses it.
      expect(await oauthError(auth.getToken({ code, redirect_uri: `${redirectUri}/` }))).toBe(
        '400 redirect_uri_mismatch',
      );
      const again = consent(authUrl(auth));
      expect((await auth.getToken({ code: again })).tokens.access_token).toMatch(/^ya29\./);
    }
  });

  it('shows an error page, never a redirect, for an unregistered URI', async () => {
    for (const redirectUri of ['https://evil.example/cb', 'http://10.0.0.1/cb', 'https://127.0.0.1/cb']) {
      const page = await fetch(authUrl(client({ redirectUri })), { redirect: 'manual' });
      expect(page.status).toBe(400);
      expect(page.headers.get('location')).toBeNull();
      expect(await page.text()).toContain('redirect_uri_mismatch');
      expect(() =>
        emulator.control.approveConsent(authUrl(client({ redirectUri })), { email: DEMO_STUDENT_EMAIL }),
      ).toThrow(/redirect_uri_mismatch/);
    }
  });

  it('holds a registered client to its exact URIs, loopback ones included', async () => {
    const registered = { clientId: 'web.apps.googleusercontent.com', clientSecret: 'web-secret' };
    emulator.control.addClient({ ...registered, redirectUris: ['https://app.example/oauth/callback'] });
    const good = client({ ...registered, redirectUri: 'https://app.example/oauth/callback' });
    const code = consent(authUrl(good));
    expect((await good.getToken({ code })).tokens.access_token).toMatch(/^ya29\./);
    for (const other of ['https://app.example/oauth/callback/', 'http://127.0.0.1/cb']) {
      const page = await fetch(authUrl(client({ ...registered, redirectUri: other })), {
        redirect: 'manual',
      });
      expect(page.status).toBe(400);
    }
  });

  it('refuses an unknown prompt on an error page, and the consent form answers errors as HTML', async () => {
    const auth = client({ redirectUri: LOOPBACK });
    for (const prompt of ['login', 'none consent']) {
      const page = await fetch(authUrl(auth, { prompt }));
      expect(page.status).toBe(400);
      expect(await page.text()).toContain('invalid_request');
    }
    expect((await fetch(authUrl(auth, { prompt: 'select_account consent' }))).status).toBe(200);
    const decision = await fetch(`${emulator.url}/o/oauth2/v2/auth/decision`, {
      method: 'POST',
      body: new URLSearchParams({ client_id: 'nobody', decision: 'approve' }),
      redirect: 'manual',
    });
    expect(decision.status).toBe(400);
    expect(decision.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });
});

describe('refresh tokens and revocation', () => {
  it('gives a repeat consent a refresh token only with prompt=consent', async () => {
    const auth = client({ redirectUri: LOOPBACK });
    const offline = (extra: Record<string, string> = {}) =>
      authUrl(auth, { access_type: 'offline', ...extra });
    expect((await auth.getToken({ code: consent(offline()) })).tokens.refresh_token).toMatch(/^1\/\//);
    // The same account and client again, without prompt: Google sends no refresh token.
    expect((await auth.getToken({ code: consent(offline()) })).tokens.refresh_token).toBeUndefined();
    expect(
      (await auth.getToken({ code: consent(offline({ prompt: 'consent' })) })).tokens.refresh_token,
    ).toMatch(/^1\/\//);
  });

  it('invalidates the oldest refresh token when the 101st is issued', async () => {
    const auth = client({ redirectUri: LOOPBACK });
    const url = authUrl(auth, { access_type: 'offline', prompt: 'consent' });
    const tokens: string[] = [];
    for (let i = 0; i < 101; i += 1)
      tokens.push((await auth.getToken({ code: consent(url) })).tokens.refresh_token ?? '');
    const refresh = (token: string) =>
      oauthError(
        auth.transporter.request({
          url: `${emulator.url}/token`,
          method: 'POST',
          data: new URLSearchParams({
            ...DEMO_GOOGLE_CLIENT_FORM,
            grant_type: 'refresh_token',
            refresh_token: token,
          }),
        }),
      );
    expect(await refresh(tokens[0] ?? '')).toBe('400 invalid_grant');
    expect(await refresh(tokens[1] ?? '')).toBe('no error');
    expect(await refresh(tokens[100] ?? '')).toBe('no error');
  });

  it('answers a revoked access token with 401 and WWW-Authenticate', async () => {
    const auth = client({ redirectUri: LOOPBACK });
    const { tokens } = await auth.getToken({ code: consent(authUrl(auth)) });
    const api = officialCalendar(emulator.url, tokens.access_token ?? '');
    expect(await googleReason(api.calendarList.list())).toBe('no error');
    await auth.revokeToken(tokens.access_token ?? '');
    const refused = await api.calendarList.list().catch((e: unknown) => e);
    const response = (refused as { response?: { status?: number; headers?: Headers } }).response;
    expect(response?.status).toBe(401);
    expect(response?.headers?.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
  });
});
