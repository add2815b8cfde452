import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { type CanvasEmulator, startCanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import { type CanvasCalApp, createApp, type ProcessRole } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { generateKey } from '../../src/crypto/key-ring.ts';
import { freshDataDir } from '../support/data-dir.ts';
import { appCalendarsOf, seedStudentsThroughEmulators } from '../support/many-synced-students.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres, TEST_REDIS_URL } from '../support/services.ts';

const STUDENTS = 6;
const ITEMS = 4;

/**
 * Two worker processes on one Postgres and one Redis share a round of syncs: each student's
 * Canvas sync and calendar follow (one group per student) never run at the same time, and
 * each student ends with one CanvasCal calendar holding each deadline once.
 */
describeWithPostgres('two workers sharing a round of syncs', (adminUrl) => {
  let google: GoogleEmulator;
  let canvas: CanvasEmulator;
  let database: { url: string; drop(): Promise<void> };
  const prefix = `two-workers-${randomUUID().slice(0, 8)}`;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    google = await startGoogleEmulator({ port: 0, seed: false });
    canvas = await startCanvasEmulator({ port: 0 });
    database = await createTestDatabase(adminUrl);
  });
  afterAll(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    if (TEST_REDIS_URL) {
      const redis = new Redis(TEST_REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
    await database?.drop();
    await google?.close();
    await canvas?.close();
  });

  const start = async (role: ProcessRole, env: Record<string, string>): Promise<CanvasCalApp> => {
    const dir = await freshDataDir('canvascal-workers-');
    const app = await createApp({
      config: parseConfig({
        CANVASCAL_DATA_DIR: dir,
        LOG_LEVEL: 'silent',
        NODE_ENV: 'test',
        CANVASCAL_EMULATORS: 'off',
        ...env,
      }),
      role,
      queuePrefix: prefix,
    });
    closers.push(async () => {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    });
    return app;
  };

  it.runIf(TEST_REDIS_URL !== undefined)(
    'no student is synced twice at once and no event is written twice',
    async () => {
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL ?? '',
        CANVASCAL_ENCRYPTION_KEYS: generateKey().entry,
        GOOGLE_CLIENT_ID: DEMO_GOOGLE_CLIENT.clientId,
        GOOGLE_CLIENT_SECRET: DEMO_GOOGLE_CLIENT.clientSecret,
        GOOGLE_API_URL: google.url,
        SYNC_INTERVAL_MINUTES: '0',
        WORKER_CONCURRENCY: '4',
      };
      const api = await start('api', env);
      const http = api.http;
      if (!http) throw new Error('the api has no HTTP server');
      const students = await seedStudentsThroughEmulators({
        http,
        google,
        canvas,
        count: STUDENTS,
        items: ITEMS,
        now: Date.now(),
        tag: 'two-workers',
      });
      // Latency makes every sync long enough for a second worker to try the same student.
      google.control.setLatency(20);
      await start('worker', env);
      await start('worker', env);

      const runIds: Array<{ headers: Record<string, string>; runId: string }> = [];
      for (const student of students)
        for (const kind of ['canvas', 'calendars', 'canvas'] as const) {
          const started = await http.inject({
            method: 'POST',
            url: `/api/v1/sync/${kind}`,
            headers: student.headers,
          });
          expect(started.statusCode).toBe(202);
          runIds.push({ headers: student.headers, runId: started.json().runId });
        }
      const runs: Array<{
        id: string;
        status: string;
        startedAt: string;
        finishedAt: string;
        headers: object;
      }> = [];
      await vi.waitFor(
        async () => {
          runs.length = 0;
          for (const { headers, runId } of runIds) {
            const run = (await http.inject({ url: `/api/v1/sync/runs/${runId}`, headers })).json();
            expect(['succeeded', 'failed']).toContain(run.status);
            runs.push({ ...run, headers });
          }
        },
        { timeout: 90_000, interval: 250 },
      );
      expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);

      for (const student of students) {
        // The student's runs (canvas joined when still queued, so 2 or 3), one after another.
        const own = runs
          .filter((r) => r.headers === student.headers)
          .filter((r, i, all) => all.findIndex((o) => o.id === r.id) === i)
          .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
        for (let i = 1; i < own.length; i += 1)
          expect(Date.parse(own[i]?.startedAt ?? '')).toBeGreaterThanOrEqual(
            Date.parse(own[i - 1]?.finishedAt ?? ''),
          );
        const calendars = appCalendarsOf(google, student.email);
        expect(calendars).toHaveLength(1);
        const summaries = calendars[0]?.summaries ?? [];
        expect(summaries).toHaveLength(ITEMS);
        expect(new Set(summaries).size).toBe(ITEMS);
      }
    },
    180_000,
  );
});
