import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanvasEmulator, startCanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import { DEMO_CANVAS_DEVELOPER_KEY } from '../../emulators/canvas/canvas-oauth-endpoints.ts';
import { createCanvasOAuth } from '../../src/canvas/canvas-oauth.ts';

// The Canvas emulator's OAuth2 endpoints, driven by our own OAuth client where it can be and
// by raw requests where the point is what Canvas answers to a bad one.

let emulator: CanvasEmulator;
let clock = Date.parse('2026-10-01T12:00:00Z');
const redirectUri = 'http://127.0.0.1:3000/api/v1/auth/canvas/callback';

beforeAll(async () => {
  emulator = await startCanvasEmulator({ port: 0, now: () => clock });
});
afterAll(() => emulator.close());

const key = () => ({ baseUrl: emulator.url, ...DEMO_CANVAS_DEVELOPER_KEY });
const oauth = () => createCanvasOAuth({ keys: [key()], now: () => clock });
const authUrl = (state = 'xyz') => oauth().authUrl(key(), { state, redirectUri });
const code = (url = authUrl()) =>
  new URL(emulator.control.approveConsent(url)).searchParams.get('code') ?? '';
const token = (body: Record<string, string>) =>
  fetch(`${emulator.url}/login/oauth2/token`, { method: 'POST', body: new URLSearchParams(body) });
const self = (accessToken: string) =>
  fetch(`${emulator.url}/api/v1/users/self`, {
    headers: { authorization: `Bearer ${accessToken}`, 'user-agent': 'test' },
  });

describe('Canvas emulator OAuth2', () => {
  it('renders a consent page a browser can submit, and redirects with code and state', async () => {
    const page = await fetch(authUrl('s1'));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('action="/login/oauth2/confirm"');
    expect(html).toContain('value="authorize"');
    const form = new URLSearchParams([...new URL(authUrl('s1')).searchParams, ['decision', 'authorize']]);
    form.set('user_id', String(emulator.control.demo?.userId));
    const confirm = await fetch(`${emulator.url}/login/oauth2/confirm`, {
      method: 'POST',
      body: form,
      redirect: 'manual',
    });
    expect(confirm.status).toBe(302);
    const location = new URL(confirm.headers.get('location') ?? '');
    expect(location.origin + location.pathname).toBe(redirectUri);
    expect(location.searchParams.get('state')).toBe('s1');
    expect(location.searchParams.get('code')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('Cancel redirects with error=access_denied and the state', () => {
    const denied = new URL(emulator.control.approveConsent(authUrl('s2'), { deny: true }));
    expect(denied.searchParams.get('error')).toBe('access_denied');
    expect(denied.searchParams.get('state')).toBe('s2');
    expect(denied.searchParams.has('code')).toBe(false);
  });

  it('an unknown client or a redirect on another host gets an error page, not a redirect', async () => {
    const unknown = new URL(authUrl());
    unknown.searchParams.set('client_id', '999');
    expect((await fetch(unknown)).status).toBe(400);
    const elsewhere = new URL(authUrl());
    elsewhere.searchParams.set('redirect_uri', 'https://attacker.example/cb');
    const res = await fetch(elsewhere, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('redirect_uri does not match client settings');
  });

  it('exchanges a code once for an hour-long access token and a refresh token', async () => {
    const c = code();
    const tokens = await oauth().exchangeCode(key(), { code: c, redirectUri });
    expect(tokens.refreshToken).toBeDefined();
    expect(tokens.expiresAt?.getTime()).toBe(clock + 3600_000);
    expect(tokens.canvasUserId).toBe(String(emulator.control.demo?.userId));
    expect((await self(tokens.accessToken)).status).toBe(200);

    const reused = await token({
      grant_type: 'authorization_code',
      client_id: DEMO_CANVAS_DEVELOPER_KEY.clientId,
      client_secret: DEMO_CANVAS_DEVELOPER_KEY.clientSecret,
      code: c,
      redirect_uri: redirectUri,
    });
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('a wrong client secret is invalid_client (401)', async () => {
    const res = await token({
      grant_type: 'authorization_code',
      client_id: DEMO_CANVAS_DEVELOPER_KEY.clientId,
      client_secret: 'wrong',
      code: code(),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('codes expire after 10 minutes', async () => {
    const c = code();
    clock += 10 * 60_000 + 1;
    await expect(oauth().exchangeCode(key(), { code: c, redirectUri })).rejects.toMatchObject({
      code: 'invalid_grant',
    });
  });

  it('access tokens die after an hour; a refresh gives a new one and reuses the refresh token', async () => {
    const tokens = await oauth().exchangeCode(key(), { code: code(), redirectUri });
    clock += 3600_000;
    const dead = await self(tokens.accessToken);
    expect(dead.status).toBe(401);
    expect(dead.headers.get('www-authenticate')).toBe('Bearer realm="canvas-lms"');
    const refreshed = await oauth().refresh(key(), tokens.refreshToken ?? '');
    expect(refreshed.refreshToken).toBeUndefined();
    expect((await self(refreshed.accessToken)).status).toBe(200);
    // Past Canvas's 5 s refresh spam interval a refresh regenerates the token.
    clock += 5_000;
    const again = await oauth().refresh(key(), tokens.refreshToken ?? '');
    expect(again.accessToken).not.toBe(refreshed.accessToken);
  });

  // A refresh regenerates the grant's one access token, so the old one dies; within
  // `oauth_refresh_token_spam_interval` (5 s) the same token comes back instead
  // (canvas-lms lib/canvas/oauth/grant_types/refresh_token.rb). Issue 12, Canvas item 6.
  it('a refresh invalidates the old access token, except within 5 s, when it answers the same one', async () => {
    const tokens = await oauth().exchangeCode(key(), { code: code(), redirectUri });
    const soon = await oauth().refresh(key(), tokens.refreshToken ?? '');
    expect(soon.accessToken).toBe(tokens.accessToken);
    clock += 5_000;
    const refreshed = await oauth().refresh(key(), tokens.refreshToken ?? '');
    expect(refreshed.accessToken).not.toBe(tokens.accessToken);
    const old = await self(tokens.accessToken);
    expect(old.status).toBe(401);
    expect(await old.json()).toEqual({ errors: [{ message: 'Invalid access token.' }] });
    expect((await self(refreshed.accessToken)).status).toBe(200);
  });

  it('logging out kills the access token and its refresh token', async () => {
    const tokens = await oauth().exchangeCode(key(), { code: code(), redirectUri });
    await oauth().logout(key(), tokens.accessToken);
    expect((await self(tokens.accessToken)).status).toBe(401);
    await expect(oauth().refresh(key(), tokens.refreshToken ?? '')).rejects.toMatchObject({
      code: 'invalid_grant',
    });
  });

  it('an unknown grant type is unsupported_grant_type', async () => {
    const res = await token({
      grant_type: 'password',
      client_id: DEMO_CANVAS_DEVELOPER_KEY.clientId,
      client_secret: DEMO_CANVAS_DEVELOPER_KEY.clientSecret,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});
