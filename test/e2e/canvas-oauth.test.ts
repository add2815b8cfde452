import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Connecting Canvas the hosted way: OAuth2 with the school's developer key, against the
// Canvas emulator's /login/oauth2 endpoints, through CanvasCal's HTTP API.

let e2e: EmulatedApp;
let headers: Record<string, string>;

const http = () => e2e.http;
const canvas = () => e2e.canvas;
const signIn = (email: string) => e2e.signIn(email);
const sync = () => e2e.run(headers, '/api/v1/sync/canvas');

// The cookie the browser that asked for the last consent URL holds (it binds the state to it).
let browserCookie = '';

/** Starts connecting and clicks Authorize (or Cancel) on the emulator's consent page. */
async function consent(as: Record<string, string>, options: { deny?: boolean } = {}) {
  const start = await http().inject({
    url: `/api/v1/auth/canvas/url?baseUrl=${encodeURIComponent(canvas().url)}`,
    headers: as,
  });
  expect(start.statusCode).toBe(200);
  browserCookie = String(start.headers['set-cookie']).split(';')[0] ?? '';
  const redirect = new URL(canvas().control.approveConsent(start.json().url, options));
  return redirect;
}

/** The OAuth access tokens the emulator has issued to the demo student (not the personal token). */
const issuedAccessTokens = () => {
  const demo = canvas().control.demo;
  return [...canvas().control.state.tokens.values()].filter(
    (t) => t.userId === demo?.userId && t.token !== demo.token,
  );
};

beforeAll(async () => {
  e2e = await startEmulatedApp();
  headers = await signIn('oauth-student@example.edu');
  await e2e.connectGoogle(headers);
});
afterAll(() => e2e.close());

describe('Canvas OAuth2 with a developer key', () => {
  it('the consent URL names the developer key, our callback and a signed state', async () => {
    const start = await http().inject({
      url: `/api/v1/auth/canvas/url?baseUrl=${encodeURIComponent(canvas().url)}`,
      headers,
    });
    const url = new URL(start.json().url);
    expect(url.origin + url.pathname).toBe(`${canvas().url}/login/oauth2/auth`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      client_id: '10000000000001',
      response_type: 'code',
      redirect_uri: `${e2e.app.config.http.publicUrl}/api/v1/auth/canvas/callback`,
    });
    expect(url.searchParams.get('state')).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  it('a Canvas without a developer key gets a 400 that says what to do instead', async () => {
    const res = await http().inject({
      url: '/api/v1/auth/canvas/url?baseUrl=https://canvas.other-school.edu',
      headers,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('canvas_oauth_not_configured');
    expect(res.json().error.message).toMatch(/personal access token/);
  });

  it('a missing baseUrl is a 400 naming the parameter', async () => {
    const res = await http().inject({ url: '/api/v1/auth/canvas/url', headers });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toMatch(/baseUrl/);
  });

  it('Cancel on the consent page: the callback says so and nothing is stored', async () => {
    const redirect = await consent(headers, { deny: true });
    expect(redirect.searchParams.get('error')).toBe('access_denied');
    const res = await http().inject({ url: redirect.pathname + redirect.search });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/chose not to authorize/);
    const status = await http().inject({ url: '/api/v1/canvas/connection', headers });
    expect(status.json().status).toBe('not_connected');
  });

  it('a forged state and a state started by another user are refused', async () => {
    const forged = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/canvas/token',
      headers,
      payload: { code: 'whatever', state: 'abc.def' },
    });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().error.code).toBe('invalid_state');

    const other = await signIn('someone-else@example.edu');
    const redirect = await consent(other);
    const stolen = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/canvas/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(stolen.statusCode).toBe(403);
    expect(stolen.json().error.code).toBe('state_user_mismatch');
    // Nothing was burned: the user who started it still finishes with the same state.
    const finished = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/canvas/token',
      headers: other,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(finished.statusCode).toBe(200);
    expect(finished.json().status).toBe('connected');
  });

  it('Authorize: the browser callback stores both tokens encrypted, and the state works once', async () => {
    const before = issuedAccessTokens().length;
    const redirect = await consent(headers);
    const callback = redirect.pathname + redirect.search;
    const res = await http().inject({ url: callback, headers: { cookie: browserCookie } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Canvas is connected');
    expect(String(res.headers['set-cookie'])).toMatch(/Max-Age=0/);

    const status = await http().inject({ url: '/api/v1/canvas/connection', headers });
    expect(status.json()).toMatchObject({ status: 'connected', authKind: 'oauth', baseUrl: canvas().url });

    const issued = issuedAccessTokens();
    expect(issued.length).toBe(before + 1);
    const rows = await e2e.app.db.withSession((s) =>
      s.query<Record<string, unknown>>('select * from canvas_connections'),
    );
    const stored = JSON.stringify(rows);
    for (const token of issued) expect(stored).not.toContain(token.token);
    expect(rows.find((r) => r.auth_kind === 'oauth')?.encrypted_refresh_token).toMatch(/^v2\./);

    const again = await http().inject({ url: callback, headers: { cookie: browserCookie } });
    expect(again.statusCode).toBe(400);
    expect(again.body).toMatch(/already used or has expired/);
  });

  it('a dead access token is refreshed once during a sync, and the sync succeeds', async () => {
    for (const t of issuedAccessTokens()) canvas().control.revokeToken(t.token);
    canvas().control.resetCounts();
    const run = await sync();
    expect(run.status).toBe('succeeded');
    expect(canvas().control.requestCounts().byRoute['POST /login/oauth2/token']).toBe(1);
  });

  it('disconnecting logs the token out at Canvas: access and refresh token both die', async () => {
    const live = issuedAccessTokens().filter((t) => !t.revoked);
    expect(live.length).toBeGreaterThan(0);
    const res = await http().inject({ method: 'DELETE', url: '/api/v1/canvas/connection', headers });
    expect(res.statusCode).toBe(204);
    expect(issuedAccessTokens().every((t) => t.revoked)).toBe(true);
    const status = await http().inject({ url: '/api/v1/canvas/connection', headers });
    expect(status.json().status).toBe('not_connected');
  });

  it('deleting my data logs the OAuth token out at Canvas too', async () => {
    const student = await signIn('oauth-delete@example.edu');
    const redirect = await consent(student);
    await http().inject({ url: redirect.pathname + redirect.search, headers: { cookie: browserCookie } });
    const status = await http().inject({ url: '/api/v1/canvas/connection', headers: student });
    expect(status.json()).toMatchObject({ status: 'connected', authKind: 'oauth' });
    // The token this student's connection holds: the one issued for it, still live (the
    // earlier tests' tokens are all logged out by now).
    const live = issuedAccessTokens().filter((t) => !t.revoked);
    expect(live.length).toBe(1);
    const res = await http().inject({
      method: 'DELETE',
      url: '/api/v1/me',
      headers: student,
      payload: { confirm: true },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().notes).toEqual([]);
    expect(live.every((t) => t.revoked)).toBe(true);
    const after = await http().inject({ url: '/api/v1/canvas/connection', headers: student });
    expect(after.json().status).toBe('not_connected');
  });

  it('an authorization removed in Canvas ends as "reconnect needed", with nothing deleted', async () => {
    const redirect = await consent(headers);
    const connected = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/canvas/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(connected.json()).toMatchObject({ status: 'connected', authKind: 'oauth' });
    expect((await sync()).status).toBe('succeeded');
    const google = e2e.google;
    const eventsBefore = [...(google.state.events.values() ?? [])].reduce((n, m) => n + m.size, 0);

    // The student removes CanvasCal under Account → Settings → Approved Integrations.
    const live = issuedAccessTokens().find((t) => !t.revoked);
    const logout = await fetch(`${canvas().url}/login/oauth2/token`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${live?.token}`, 'user-agent': 'test' },
    });
    expect(logout.status).toBe(200);

    google.resetCounts();
    const run = await sync();
    expect(run.status).toBe('failed');
    expect(run.error?.code).toBe('canvas_reconnect_needed');
    expect(google.requestCounts().byMethod.batch ?? 0).toBe(0);
    const eventsAfter = [...(google.state.events.values() ?? [])].reduce((n, m) => n + m.size, 0);
    expect(eventsAfter).toBe(eventsBefore);
    const status = await http().inject({ url: '/api/v1/canvas/connection', headers });
    expect(status.json()).toMatchObject({ status: 'reconnect_needed' });
    expect(status.json().message).toMatch(/connect Canvas again/);
  });

  it('a refreshed token Canvas refuses too is refreshed once, never in a loop', async () => {
    const redirect = await consent(headers);
    const connected = await http().inject({
      method: 'POST',
      url: '/api/v1/auth/canvas/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(connected.json()).toMatchObject({ status: 'connected', authKind: 'oauth' });
    // The student's Canvas account is gone: every token, old or freshly refreshed, is dead.
    const demo = canvas().control.demo;
    const student = canvas().control.state.users.get(demo?.userId ?? 0);
    if (!demo || !student) throw new Error('no demo student');
    canvas().control.state.users.delete(demo.userId);
    try {
      canvas().control.resetCounts();
      const run = await sync();
      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('canvas_token_invalid');
      expect(canvas().control.requestCounts().byRoute['POST /login/oauth2/token']).toBe(1);
      const status = await http().inject({ url: '/api/v1/canvas/connection', headers });
      expect(status.json().status).toBe('reconnect_needed');
    } finally {
      canvas().control.state.users.set(demo.userId, student);
    }
  });
});
