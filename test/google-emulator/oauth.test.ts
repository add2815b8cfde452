import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import {
  createGoogleOAuth,
  endpointsAt,
  type GoogleOAuth,
  GoogleOAuthError,
} from '../../src/google/oauth-client.ts';
import { DEFAULT_SCOPES, SCOPES } from '../../src/google/scopes.ts';

const REDIRECT = 'http://127.0.0.1:3000/api/v1/auth/google/callback';
let emulator: GoogleEmulator;
let clock: number;
let oauth: GoogleOAuth;

beforeEach(async () => {
  clock = Date.parse('2026-12-01T15:00:00Z');
  emulator = await startGoogleEmulator({ now: () => clock });
  oauth = createGoogleOAuth({
    ...DEMO_GOOGLE_CLIENT,
    endpoints: endpointsAt(emulator.url),
    now: () => clock,
  });
});
afterEach(() => emulator.close());

async function consent(options: { grantScopes?: string[]; offline?: boolean } = {}) {
  const { codeVerifier, codeChallenge } = await oauth.createPkce();
  let url = oauth.authUrl({ state: 'st-1', codeChallenge, scopes: DEFAULT_SCOPES, redirectUri: REDIRECT });
  if (options.offline === false) url = url.replace('access_type=offline', 'access_type=online');
  // `offline` shapes the URL above; approveConsent takes only the user's answer.
  const { offline: _offline, ...answer } = options;
  const redirect = new URL(emulator.control.approveConsent(url, { email: DEMO_STUDENT_EMAIL, ...answer }));
  return {
    code: redirect.searchParams.get('code') ?? '',
    state: redirect.searchParams.get('state'),
    codeVerifier,
  };
}

describe('Google OAuth emulator through google-auth-library', () => {
  it('shows a consent page a browser can submit', async () => {
    const { codeChallenge } = await oauth.createPkce();
    const page = await fetch(
      oauth.authUrl({ state: 's', codeChallenge, scopes: DEFAULT_SCOPES, redirectUri: REDIRECT }),
    );
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('action="/o/oauth2/v2/auth/decision"');
    expect(html).toContain(SCOPES.appCreated);
    // No login_hint given: none is sent, and the page offers the student's account.
    expect(html).toContain(`name="email" value="${DEMO_STUDENT_EMAIL}"`);
    const { codeChallenge: another } = await oauth.createPkce();
    expect(
      oauth.authUrl({ state: 's', codeChallenge: another, scopes: DEFAULT_SCOPES, redirectUri: REDIRECT }),
    ).not.toContain('login_hint');
  });

  it('exchanges a code with PKCE for offline tokens, once, echoing the granted scopes', async () => {
    const { code, state, codeVerifier } = await consent({
      grantScopes: [SCOPES.appCreated, SCOPES.eventsFreebusy],
    });
    expect(state).toBe('st-1');
    const tokens = await oauth.exchangeCode({ code, codeVerifier, redirectUri: REDIRECT });
    expect(tokens.refreshToken).toMatch(/^1\/\//);
    expect(tokens.scopes).toEqual([SCOPES.appCreated, SCOPES.eventsFreebusy].sort());
    // google-auth-library stamps the expiry from the real clock and Google's expires_in (3599 s).
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 3500_000);
    await expect(oauth.exchangeCode({ code, codeVerifier, redirectUri: REDIRECT })).rejects.toMatchObject({
      code: 'invalid_grant',
    });
  });

  it('refuses a wrong PKCE verifier, an expired code and a wrong client', async () => {
    const first = await consent();
    await expect(
      oauth.exchangeCode({ code: first.code, codeVerifier: 'x'.repeat(50), redirectUri: REDIRECT }),
    ).rejects.toMatchObject({
      code: 'invalid_grant',
    });
    const second = await consent();
    clock += 11 * 60_000;
    await expect(
      oauth.exchangeCode({ code: second.code, codeVerifier: second.codeVerifier, redirectUri: REDIRECT }),
    ).rejects.toBeInstanceOf(GoogleOAuthError);
    const wrong = createGoogleOAuth({
      clientId: DEMO_GOOGLE_CLIENT.clientId,
      clientSecret: 'nope',
      endpoints: endpointsAt(emulator.url),
    });
    const third = await consent();
    await expect(
      wrong.exchangeCode({ code: third.code, codeVerifier: third.codeVerifier, redirectUri: REDIRECT }),
    ).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('sends a refresh token only for offline access, and on a repeat consent only with prompt=consent', async () => {
    const online = await consent({ offline: false });
    expect(
      (
        await oauth.exchangeCode({
          code: online.code,
          codeVerifier: online.codeVerifier,
          redirectUri: REDIRECT,
        })
      ).refreshToken,
    ).toBeUndefined();
    const again = await consent();
    // Our client always sends prompt=consent, so a repeat consent still yields a refresh token.
    expect(
      (
        await oauth.exchangeCode({
          code: again.code,
          codeVerifier: again.codeVerifier,
          redirectUri: REDIRECT,
        })
      ).refreshToken,
    ).toBeDefined();
  });

  it('refreshes until the grant is revoked, then answers invalid_grant', async () => {
    const { code, codeVerifier } = await consent();
    const { refreshToken } = await oauth.exchangeCode({ code, codeVerifier, redirectUri: REDIRECT });
    if (!refreshToken) throw new Error('no refresh token');
    const refreshed = await oauth.refresh(refreshToken);
    expect(refreshed.accessToken).toMatch(/^ya29\./);
    await oauth.revoke(refreshToken);
    await expect(oauth.refresh(refreshToken)).rejects.toMatchObject({ code: 'invalid_grant' });
    // Revoking again is what we wanted already: no error.
    await oauth.revoke(refreshToken);
  });

  it('redirects with error=access_denied when the user cancels', async () => {
    const { codeChallenge } = await oauth.createPkce();
    const url = oauth.authUrl({
      state: 'st-2',
      codeChallenge,
      scopes: DEFAULT_SCOPES,
      redirectUri: REDIRECT,
    });
    const redirect = new URL(emulator.control.approveConsent(url, { email: DEMO_STUDENT_EMAIL, deny: true }));
    expect(Object.fromEntries(redirect.searchParams)).toEqual({ error: 'access_denied', state: 'st-2' });
  });
});
