import { OAuth2Client } from 'google-auth-library';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

const REDIRECT = 'http://127.0.0.1:8080/cb';
const OTHER = { clientId: 'other.apps.googleusercontent.com', clientSecret: 'other-secret' };
const CALENDAR = 'https://www.googleapis.com/auth/calendar';
let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
  emulator.control.addClient({ ...OTHER, redirectUris: [REDIRECT] });
});
afterEach(() => emulator.close());

/** google-auth-library's own client, pointed at the emulator. */
function client(credentials: { clientId: string; clientSecret: string } = DEMO_GOOGLE_CLIENT) {
  return new OAuth2Client({
    ...credentials,
    redirectUri: REDIRECT,
    endpoints: {
      oauth2AuthBaseUrl: `${emulator.url}/o/oauth2/v2/auth`,
      oauth2TokenUrl: `${emulator.url}/token`,
      oauth2RevokeUrl: `${emulator.url}/revoke`,
    },
    transporterOptions: { fetchImplementation: fetch },
  });
}

/** Consents as the demo student and exchanges the code: the token answer. */
async function connect(auth: OAuth2Client, scope: string[], extra: Record<string, unknown> = {}) {
  const url = auth.generateAuthUrl({ access_type: 'offline', scope, state: 's', ...extra });
  const code = new URL(emulator.control.approveConsent(url, { email: DEMO_STUDENT_EMAIL })).searchParams.get(
    'code',
  );
  return (await auth.getToken({ code: code ?? '' })).tokens;
}

describe('scopes', () => {
  it('shows Error 400 invalid_scope, never a redirect, for a scope Google does not know', async () => {
    for (const scope of [['bogus-scope'], ['calendar'], [SCOPES.appCreated, `${CALENDAR}.everything`]]) {
      const page = await fetch(client().generateAuthUrl({ scope, state: 's' }), { redirect: 'manual' });
      expect(page.status, scope.join(' ')).toBe(400);
      expect(page.headers.get('location')).toBeNull();
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await page.text()).toContain('Error 400: invalid_scope');
    }
    const signIn = await fetch(client().generateAuthUrl({ scope: ['openid', 'email', 'profile', CALENDAR] }));
    expect(signIn.status).toBe(200);
  });

  it('does not take a bare "calendar" in a token for the calendar scope', async () => {
    const { access_token } = await connect(client(), [SCOPES.calendarListReadonly]);
    const api = officialCalendar(emulator.url, access_token ?? '');
    expect(await googleReason(api.calendarList.list())).toBe('no error');
    // Only a token that somehow holds the short name can show this: Google has no such scope.
    const held = emulator.control.state.accessTokens.get(access_token ?? '');
    if (held) held.scopes = ['calendar'];
    expect(await googleReason(api.calendarList.list())).toBe('403 insufficientPermissions');
  });
});

describe('grant bookkeeping', () => {
  it("include_granted_scopes adds this client's earlier grants, never another client's", async () => {
    await connect(client(OTHER), [CALENDAR]);
    await connect(client(), [SCOPES.calendarListReadonly]);
    const tokens = await connect(client(), [SCOPES.appCreated], {
      include_granted_scopes: true,
      prompt: 'consent',
    });
    expect(tokens.scope?.split(' ').sort()).toEqual([SCOPES.appCreated, SCOPES.calendarListReadonly].sort());
  });

  it('makes the consent after a revocation a first consent: a refresh token without prompt=consent', async () => {
    const first = await connect(client(), [SCOPES.appCreated]);
    expect(first.refresh_token).toMatch(/^1\/\//);
    expect((await connect(client(), [SCOPES.appCreated])).refresh_token).toBeUndefined();
    await client().revokeToken(first.refresh_token ?? '');
    const again = await connect(client(), [SCOPES.appCreated]);
    expect(again.refresh_token).toMatch(/^1\/\//);

    // The same when the user removes the app in their account settings; the earlier grant is gone too.
    emulator.control.revokeGrants(DEMO_STUDENT_EMAIL);
    const afterRemoval = await connect(client(), [SCOPES.eventsFreebusy], { include_granted_scopes: true });
    expect(afterRemoval.refresh_token).toMatch(/^1\/\//);
    expect(afterRemoval.scope).toBe(SCOPES.eventsFreebusy);
  });
});

describe('revoking', () => {
  it("one of the client's tokens removes its whole access: every refresh token dies, another client's lives", async () => {
    const first = await connect(client(), [SCOPES.appCreated]);
    const second = await connect(client(), [SCOPES.appCreated], { prompt: 'consent' });
    const other = await connect(client(OTHER), [CALENDAR]);
    await client().revokeToken(second.refresh_token ?? '');
    const refresh = (auth: ReturnType<typeof client>, token: string | null | undefined) => {
      auth.setCredentials({ refresh_token: token ?? '' });
      return auth.refreshAccessToken();
    };
    await expect(refresh(client(), first.refresh_token)).rejects.toMatchObject({
      response: { data: { error: 'invalid_grant' } },
    });
    // Its access tokens too.
    const call = await fetch(`${emulator.url}/calendar/v3/calendars`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ summary: 'After revoke' }),
    });
    expect(call.status).toBe(401);
    expect((await refresh(client(OTHER), other.refresh_token)).credentials.access_token).toBeTruthy();
  });
});

describe('the consent page', () => {
  it('has a ticked checkbox per scope, and grants only the scopes left ticked', async () => {
    const auth = client();
    const scopes = [SCOPES.appCreated, SCOPES.calendarListReadonly, SCOPES.eventsFreebusy];
    const html = await (
      await fetch(auth.generateAuthUrl({ access_type: 'offline', scope: scopes, state: 's' }))
    ).text();
    const boxes = [...html.matchAll(/<input type="checkbox" name="granted_scope" value="([^"]+)" checked>/g)];
    expect(boxes.map((m) => m[1]).sort()).toEqual([...scopes].sort());

    // Submit the form as a browser would, with one box unticked.
    const form = new URLSearchParams();
    for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
      form.append(name ?? '', (value ?? '').replaceAll('&amp;', '&').replaceAll('&quot;', '"'));
    form.set('email', DEMO_STUDENT_EMAIL);
    form.append('granted_scope', SCOPES.appCreated);
    form.append('granted_scope', SCOPES.eventsFreebusy);
    form.set('decision', 'approve');
    const answer = await fetch(`${emulator.url}/o/oauth2/v2/auth/decision`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(answer.status).toBe(302);
    const redirect = new URL(answer.headers.get('location') ?? '');
    expect(redirect.searchParams.get('scope')?.split(' ').sort()).toEqual(
      [SCOPES.appCreated, SCOPES.eventsFreebusy].sort(),
    );
    const { tokens } = await auth.getToken({ code: redirect.searchParams.get('code') ?? '' });
    expect(tokens.scope?.split(' ').sort()).toEqual([SCOPES.appCreated, SCOPES.eventsFreebusy].sort());
  });
});
