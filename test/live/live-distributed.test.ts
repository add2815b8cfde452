import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type CanvasEmulator, startCanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { type CanvasCalApp, createApp, type ProcessRole } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { generateKey } from '../../src/crypto/key-ring.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres, describeWithRedis } from '../support/services.ts';
import { freePort } from '../support/split-processes.ts';

// The distributed deployment: a `serve --no-workers` app (HTTP only) and a `worker` app (jobs
// only), on one Postgres and one Redis, against one Google emulator. Google's push reaches the
// serve app at PUBLIC_URL; the sync it queues on BullMQ runs on the worker; the change lands
// in the Postgres cache. (Two app instances in one test process, each with its own database
// pool and Redis connections, as two processes would have.)

describeWithPostgres('live updates with separate serve and worker (Postgres)', (databaseAdminUrl) => {
  describeWithRedis('and Redis', (redisUrl) => {
    let google: GoogleEmulator;
    let canvas: CanvasEmulator;
    let database: Awaited<ReturnType<typeof createTestDatabase>>;
    let dir: string;
    const prefix = `canvascal-test-${randomBytes(5).toString('hex')}`;
    const apps: CanvasCalApp[] = [];
    let serve: CanvasCalApp;

    beforeAll(async () => {
      google = await startGoogleEmulator({ port: 0 });
      canvas = await startCanvasEmulator({ port: 0 });
      database = await createTestDatabase(databaseAdminUrl);
      dir = await mkdtemp(join(tmpdir(), 'canvascal-dist-'));
      const port = await freePort();
      const env = {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        CANVASCAL_DATA_DIR: dir,
        CANVASCAL_EMULATORS: 'on',
        CANVASCAL_ENCRYPTION_KEYS: generateKey('k1').entry,
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        SYNC_INTERVAL_MINUTES: '0',
      };
      const start = async (role: ProcessRole) => {
        const app = await createApp({
          config: parseConfig(env),
          role,
          queuePrefix: prefix,
          pushDebounceMs: 300,
          retryBaseMs: { job: 20, google: 10, canvas: 10 },
          sharedEmulators: { google, canvas },
        });
        apps.push(app);
        return app;
      };
      // Both start before anyone connects: a starting app with emulators marks older grants stale.
      serve = await start('api');
      await start('worker');
      await serve.listen();
    }, 60_000);

    afterAll(async () => {
      for (const app of apps.reverse()) await app.close();
      await google?.close();
      await canvas?.close();
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('a change made in Google reaches the cache: push to serve, sync on the worker', async () => {
      const http = serve.http;
      if (!http) throw new Error('serve has no HTTP');
      const settle = (check: () => Promise<void> | void) =>
        vi.waitFor(check, { timeout: 20_000, interval: 50 });
      const login = await http.inject({
        method: 'POST',
        url: '/api/v1/auth/local/login',
        payload: { email: 'dist@example.edu' },
      });
      const headers = { authorization: `Bearer ${login.json().accessToken}` };
      const consent = await http.inject({
        url: '/api/v1/auth/google/url?includePrimaryEvents=true',
        headers,
      });
      const redirect = new URL(
        google.control.approveConsent(consent.json().url, { email: DEMO_STUDENT_EMAIL }),
      );
      const connected = await http.inject({
        method: 'POST',
        url: '/api/v1/auth/google/token',
        headers,
        payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
      });
      expect(connected.json().status).toBe('connected');
      await http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
      const run = async (path: string) => {
        const started = await http.inject({ method: 'POST', url: path, headers });
        expect(started.statusCode).toBe(202);
        await settle(async () => {
          const status = (
            await http.inject({ url: `/api/v1/sync/runs/${started.json().runId}`, headers })
          ).json();
          expect(status.status).toBe('succeeded');
        });
      };
      await run('/api/v1/sync/canvas');
      // The worker opened the three channels (two calendars, the list), addressed to serve's PUBLIC_URL.
      await settle(() => expect(google.control.channels().filter((c) => !c.stopped)).toHaveLength(3));
      expect(google.control.channels()[0]?.address).toBe(`${serve.config.http.publicUrl}/webhooks/google`);
      await run('/api/v1/sync/calendars');

      const day = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
      google.control.userInsertEvent(DEMO_STUDENT_EMAIL, {
        summary: 'Pushed across processes',
        start: { dateTime: `${day}T09:00:00Z` },
        end: { dateTime: `${day}T10:00:00Z` },
      });
      await settle(async () => {
        const rows = await serve.db.withSession((s) =>
          s.query<{ n: string }>(
            "select count(*) as n from calendar_events where summary = 'Pushed across processes'",
          ),
        );
        expect(Number(rows[0]?.n)).toBe(1);
      });
      await google.control.flushDeliveries();
      expect(google.control.deliveryCounts().failed).toBe(0);
      // Received by serve, synced by the worker.
      expect((await serve.metrics.pushNotifications.get()).values).toContainEqual(
        expect.objectContaining({ labels: { outcome: 'change' } }),
      );
      // (One more when the calendar-list channel opened before the first sync created
      // CanvasCal's own calendar: Google announces that list change too.)
      const worker = apps.find((a) => a !== serve);
      expect((await worker?.metrics.pushSyncs.get())?.values[0]?.value).toBeGreaterThanOrEqual(1);
      expect((await serve.metrics.pushSyncs.get()).values[0]?.value ?? 0).toBe(0);
    });
  });
});
