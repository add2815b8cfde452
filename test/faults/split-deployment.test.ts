import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type CanvasEmulator, startCanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import { ConfigError, parseConfig } from '../../src/config.ts';
import { generateKey } from '../../src/crypto/key-ring.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres, TEST_REDIS_URL } from '../support/services.ts';
import { startTestApp } from '../support/test-app.ts';

/**
 * Issue 13, item 12: a split deployment (API and worker processes on Postgres and Redis)
 * tried against configured Google and Canvas stand-ins, as a staging setup would be.
 */
describeWithPostgres('a split deployment on configured endpoints', (adminUrl) => {
  let google: GoogleEmulator;
  let canvas: CanvasEmulator;
  let database: { url: string; drop(): Promise<void> };
  let redis: Redis | undefined;
  const closers: Array<() => Promise<void>> = [];
  const redisUrl = (() => {
    if (!TEST_REDIS_URL) return undefined;
    const url = new URL(TEST_REDIS_URL);
    url.pathname = '/12';
    return url.toString();
  })();

  beforeAll(async () => {
    google = await startGoogleEmulator({ port: 0 });
    canvas = await startCanvasEmulator({ port: 0 });
    database = await createTestDatabase(adminUrl);
    if (redisUrl) {
      redis = new Redis(redisUrl);
      await redis.flushdb();
    }
  });
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await redis?.flushdb();
    redis?.disconnect();
    await database.drop();
    await google.close();
    await canvas.close();
  });

  it.runIf(redisUrl !== undefined)(
    'an API and a worker process sync a student through them',
    async () => {
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        CANVASCAL_ENCRYPTION_KEYS: generateKey().entry,
        GOOGLE_CLIENT_ID: DEMO_GOOGLE_CLIENT.clientId,
        GOOGLE_CLIENT_SECRET: DEMO_GOOGLE_CLIENT.clientSecret,
        GOOGLE_API_URL: google.url,
        SYNC_INTERVAL_MINUTES: '0',
      };
      const api = await startTestApp(env, { role: 'api' });
      closers.push(api.close);
      const worker = await startTestApp(env, { role: 'worker' });
      closers.push(worker.close);
      expect(worker.app.emulators).toBeUndefined();
      const http = api.app.http;
      if (!http) throw new Error('no http');

      const login = await http.inject({
        method: 'POST',
        url: '/api/v1/auth/local/login',
        payload: { email: 'split@example.edu' },
      });
      const headers = { authorization: `Bearer ${login.json().accessToken}` };
      const start = await http.inject({ url: '/api/v1/auth/google/url', headers });
      expect(start.json().url.startsWith(`${google.url}/o/oauth2/v2/auth`)).toBe(true);
      const redirect = new URL(
        google.control.approveConsent(start.json().url, { email: DEMO_STUDENT_EMAIL }),
      );
      const token = await http.inject({
        method: 'POST',
        url: '/api/v1/auth/google/token',
        headers,
        payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
      });
      expect(token.json().status).toBe('connected');
      const connected = await http.inject({
        method: 'PUT',
        url: '/api/v1/canvas/connection',
        headers,
        payload: { baseUrl: canvas.url, token: canvas.control.demo?.token },
      });
      expect(connected.json().status).toBe('connected');

      const started = await http.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
      expect(started.statusCode).toBe(202);
      let run: { status: string; counts: Record<string, number> } = { status: 'queued', counts: {} };
      await vi.waitFor(
        async () => {
          run = (await http.inject({ url: `/api/v1/sync/runs/${started.json().runId}`, headers })).json();
          expect(['succeeded', 'failed']).toContain(run.status);
        },
        { timeout: 30_000, interval: 100 },
      );
      expect(run.status).toBe('succeeded');
      const calendars = [...google.control.state.calendars.values()].filter((c) => c.summary === 'CanvasCal');
      expect(calendars).toHaveLength(1);
      const events = [...(google.control.state.events.get(calendars[0]?.id ?? '')?.values() ?? [])];
      expect(events.length).toBe(run.counts.created);
      expect(events.length).toBeGreaterThan(0);
    },
    60_000,
  );

  it('refuses configured Google endpoints in production unless explicitly allowed', () => {
    const production = {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://canvascal.example.edu',
      CANVASCAL_ENCRYPTION_KEYS: generateKey().entry,
      AUTH_JWT_SECRET: 'x'.repeat(32),
      AUTH_JWT_ISSUER: 'https://project.supabase.co/auth/v1',
      GOOGLE_CLIENT_ID: 'id',
      GOOGLE_CLIENT_SECRET: 'secret',
      GOOGLE_API_URL: 'http://127.0.0.1:8085',
    };
    expect(() => parseConfig(production)).toThrow(ConfigError);
    expect(() => parseConfig(production)).toThrow(/GOOGLE_API_URL: refused when NODE_ENV=production/);
    const allowed = parseConfig({ ...production, ALLOW_CUSTOM_ENDPOINTS: 'true' });
    expect(allowed.google).toMatchObject({ kind: 'real', apiUrl: 'http://127.0.0.1:8085' });
    expect(() => parseConfig({ GOOGLE_API_URL: 'http://127.0.0.1:8085' })).toThrow(/needs GOOGLE_CLIENT_ID/);
  });
});
