import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';

const REDIRECT = 'http://127.0.0.1/cb';
let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
});
afterEach(() => emulator.close());

/** A refresh token for the demo student, made through the control API and one /token call. */
async function refreshToken(): Promise<string> {
  const auth = new URL(`${emulator.url}/o/oauth2/v2/auth`);
  auth.search = new URLSearchParams({
    client_id: DEMO_GOOGLE_CLIENT.clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: SCOPES.appCreated,
    access_type: 'offline',
  }).toString();
  const code = new URL(
    emulator.control.approveConsent(auth.toString(), { email: DEMO_STUDENT_EMAIL }),
  ).searchParams.get('code');
  const answer = await post('/token', {
    grant_type: 'authorization_code',
    code: code ?? '',
    redirect_uri: REDIRECT,
  });
  return ((await answer.json()) as { refresh_token: string }).refresh_token;
}

const post = (path: string, form: Record<string, string>) =>
  fetch(`${emulator.url}${path}`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: DEMO_GOOGLE_CLIENT.clientId,
      client_secret: DEMO_GOOGLE_CLIENT.clientSecret,
      ...form,
    }),
  });

/** Status and body (JSON when it is) of a refresh, or `reset` when the connection dropped. */
async function refresh(token: string): Promise<[number, unknown] | 'reset'> {
  try {
    const answer = await post('/token', { grant_type: 'refresh_token', refresh_token: token });
    const text = await answer.text();
    return [
      answer.status,
      answer.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text,
    ];
  } catch {
    return 'reset';
  }
}

describe('faults on the OAuth token and revoke endpoints', () => {
  it('fails scripted token calls with Google OAuth error bodies, counted, then answers again', async () => {
    const token = await refreshToken();
    emulator.control.resetCounts();
    emulator.control.failNext('oauth.token', 503, 2);
    emulator.control.failNext('oauth.token', 500);
    emulator.control.failNext('oauth.token', 429);
    emulator.control.failNext('oauth.token', 403);
    emulator.control.failNext('oauth.token', 'reset');
    expect(await refresh(token)).toEqual([503, { error: 'internal_failure' }]);
    expect(await refresh(token)).toEqual([503, { error: 'internal_failure' }]);
    expect(await refresh(token)).toEqual([
      500,
      { error: 'internal_failure', error_description: 'Backend Error' },
    ]);
    expect(await refresh(token)).toEqual([
      429,
      { error: 'rate_limit_exceeded', error_description: 'Rate Limit Exceeded' },
    ]);
    const limited = await refresh(token);
    expect(limited !== 'reset' && limited[0]).toBe(403);
    expect(await refresh(token)).toBe('reset');
    const ok = await refresh(token);
    expect(ok !== 'reset' && ok[0]).toBe(200);
    expect(emulator.control.requestCounts().byOutcome).toEqual({
      'oauth.token 503': 2,
      'oauth.token 500': 1,
      'oauth.token 429': 1,
      'oauth.token 403': 1,
      'oauth.token reset': 1,
      'oauth.token 200': 1,
    });
  });

  it('lets "*" strike token and revoke calls, and fails revoke without revoking', async () => {
    const token = await refreshToken();
    emulator.control.failNext('*', 500);
    expect(await refresh(token)).toEqual([
      500,
      { error: 'internal_failure', error_description: 'Backend Error' },
    ]);
    emulator.control.failNext('oauth.revoke', 503);
    expect((await post('/revoke', { token })).status).toBe(503);
    const still = await refresh(token);
    expect(still !== 'reset' && still[0]).toBe(200);
    expect((await post('/revoke', { token })).status).toBe(200);
    const revoked = await refresh(token);
    expect(revoked !== 'reset' && revoked[0]).toBe(400);
  });

  it('draws random faults for OAuth calls only when they are listed', async () => {
    const token = await refreshToken();
    emulator.control.randomFaults({ rate: 1, seed: 1, kinds: [503] });
    const calendarOnly = await refresh(token);
    expect(calendarOnly !== 'reset' && calendarOnly[0]).toBe(200);
    emulator.control.randomFaults({ rate: 1, seed: 1, kinds: [503], methods: ['oauth.token'] });
    expect(await refresh(token)).toEqual([503, { error: 'internal_failure' }]);
    emulator.control.randomFaults(undefined);
    expect(emulator.control.requestCounts().byOutcome['oauth.token 503']).toBe(1);
  });
});
