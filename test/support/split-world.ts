import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CanvasEmulator, startCanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import type { AppOptions } from '../../src/app.ts';
import { generateKey } from '../../src/crypto/key-ring.ts';
import { type CalendarTruth, calendarTruth } from './calendar-truth.ts';
import { type CanvasCalProcess, startCanvasCalProcess } from './canvascal-process.ts';
import { createTestDatabase } from './postgres.ts';
import type { RedisServer } from './redis-server.ts';
import { startTcpProxy } from './tcp-proxy.ts';

export interface RunView {
  id: string;
  status: string;
  counts: Record<string, number>;
  error: { code: string; message: string } | null;
}

export type Timings = Pick<AppOptions, 'retryBaseMs' | 'lostJobCheckMs' | 'lostJobGraceMs' | 'queueLockMs'>;

/** Production's timings, shrunk so that a lapsed lock or a lost job is noticed in seconds. */
export const FAST_TIMINGS: Timings = {
  retryBaseMs: { job: 200, google: 50, canvas: 50 },
  lostJobCheckMs: 500,
  lostJobGraceMs: 1_000,
  // Long enough that a busy machine's late lock renewal is not taken for a dead worker.
  queueLockMs: 5_000,
};

/**
 * A split deployment as production runs it: an API process and a worker process, each its
 * own OS process, on a fresh PostgreSQL database reached through a TCP proxy the test holds,
 * and on the given Redis; Google and Canvas are the emulators, in the test's process, so the
 * test sees their state. Students connect through the API over HTTP like a browser would.
 */
export async function startSplitWorld(options: {
  adminUrl: string;
  redis: RedisServer;
  /** Extra configuration for both processes (e.g. GOOGLE_TIMEOUT_MS, WORKER_CONCURRENCY). */
  env?: Record<string, string>;
  timings?: Timings;
}) {
  const google: GoogleEmulator = await startGoogleEmulator({ port: 0 });
  const canvas: CanvasEmulator = await startCanvasEmulator({ port: 0 });
  const database = await createTestDatabase(options.adminUrl);
  const target = new URL(database.url);
  const postgres = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const dirs: string[] = [];
  const processes: CanvasCalProcess[] = [];
  const timings = options.timings ?? FAST_TIMINGS;
  const env: Record<string, string> = {
    DATABASE_URL: postgres.through(database.url),
    DATABASE_STATEMENT_TIMEOUT_MS: '2000',
    REDIS_URL: options.redis.url,
    CANVASCAL_ENCRYPTION_KEYS: generateKey().entry,
    GOOGLE_CLIENT_ID: DEMO_GOOGLE_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: DEMO_GOOGLE_CLIENT.clientSecret,
    GOOGLE_API_URL: google.url,
    CANVASCAL_EMULATORS: 'off',
    SYNC_INTERVAL_MINUTES: '0',
    PORT: '0',
    ...options.env,
  };
  const start = async (role: 'api' | 'worker') => {
    const dir = await mkdtemp(join(tmpdir(), `canvascal-${role}-`));
    dirs.push(dir);
    const started = await startCanvasCalProcess(role, { ...env, CANVASCAL_DATA_DIR: dir }, timings);
    processes.push(started);
    return started;
  };
  // One after the other: the API applies the migrations before any worker reads the tables.
  const api = await start('api');
  let worker = await start('worker');

  const call = async (
    path: string,
    init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
  ) => {
    const response = await fetch(`${api.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...init.headers,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  return {
    google,
    canvas,
    postgres,
    api,
    get worker() {
      return worker;
    },
    /** Starts another worker process (after the last one was killed, say). */
    async startWorker() {
      worker = await start('worker');
      return worker;
    },

    /**
     * A CanvasCal student with Google (as `googleEmail`, an account made if new) and the
     * Canvas demo student connected. Returns their headers and ids.
     */
    async student(email: string, googleEmail: string) {
      if (!google.control.state.accounts.has(googleEmail))
        google.control.addAccount(googleEmail, 'America/Chicago');
      const login = await call('/api/v1/auth/local/login', { method: 'POST', body: { email } });
      const headers = { authorization: `Bearer ${String(login.json.accessToken)}` };
      const me = await call('/api/v1/me', { headers });
      const start = await call('/api/v1/auth/google/url', { headers });
      const redirect = new URL(google.control.approveConsent(String(start.json.url), { email: googleEmail }));
      const token = await call('/api/v1/auth/google/token', {
        method: 'POST',
        headers,
        body: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
      });
      if (token.json.status !== 'connected')
        throw new Error(`Google did not connect: ${JSON.stringify(token.json)}`);
      const connected = await call('/api/v1/canvas/connection', {
        method: 'PUT',
        headers,
        body: { baseUrl: canvas.url, token: canvas.control.demo?.token },
      });
      if (connected.json.status !== 'connected')
        throw new Error(`Canvas did not connect: ${JSON.stringify(connected.json)}`);
      return { headers, userId: String(me.json.id), googleEmail };
    },

    /** Starts a Canvas sync through the API; resolves to its run id. */
    async startSync(headers: Record<string, string>): Promise<string> {
      const started = await call('/api/v1/sync/canvas', { method: 'POST', headers });
      if (started.status !== 202)
        throw new Error(`sync not started: ${started.status} ${JSON.stringify(started.json)}`);
      return String(started.json.runId);
    },

    async run(headers: Record<string, string>, runId: string): Promise<RunView> {
      const answer = await call(`/api/v1/sync/runs/${runId}`, { headers });
      return { id: runId, ...answer.json } as RunView;
    },

    /** Waits (polling the API) until the run has ended; its last view if it does not in `timeoutMs`. */
    async settle(headers: Record<string, string>, runId: string, timeoutMs = 60_000): Promise<RunView> {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        const view = await this.run(headers, runId).catch(
          (error: unknown): RunView => ({
            id: runId,
            status: `unreadable: ${error}`,
            counts: {},
            error: null,
          }),
        );
        if (view.status === 'succeeded' || view.status === 'failed' || performance.now() > deadline)
          return view;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },

    truth(student: { userId: string; googleEmail: string }): CalendarTruth {
      return calendarTruth(google.control, canvas, { email: student.googleEmail, userId: student.userId });
    },

    /** What the processes wrote, for a failure message. */
    output: () => processes.map((p) => `--- ${p.role} ${p.pid}\n${p.output()}`).join('\n'),

    async close() {
      for (const p of processes.reverse()) await p.kill();
      await postgres.close();
      await database.drop();
      await google.close();
      await canvas.close();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    },
  };
}

export type SplitWorld = Awaited<ReturnType<typeof startSplitWorld>>;

/** Polls `condition` every few ms; throws with `output()` if it does not hold within `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`waited ${timeoutMs} ms in vain\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
