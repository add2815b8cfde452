// Two `worker` processes beside one: the same round of first syncs (N students, each with a
// Canvas course of ITEMS assignments, seeded through the emulators' control APIs), timed
// from the moment every run is queued until every run has finished. Each latency profile is
// measured in turn (BENCH_LATENCIES, "google/canvas" ms a request, comma-separated; default
// 250/100 then 20/20): at 250/100 (a batch of writes takes about 250 ms at Google) the work is
// I/O-bound as against the real services, as long as each worker has CPU to spare; at 20/20
// the workers' CPU decides, so the two show where a second worker pays and where it does not.
// Google stays at its standard per-user quota.
// Checks as it goes: no student's runs overlap, one CanvasCal calendar per student, no event
// twice. Needs Postgres and Redis: BENCH_DATABASE_URL / BENCH_REDIS_URL (or the TEST_ ones);
// Redis database 14 is flushed before and after. `npm run bench two-workers`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { startCanvasEmulator } from '../emulators/canvas/canvas-emulator.ts';
import { DEMO_GOOGLE_CLIENT, startGoogleEmulator } from '../emulators/google/google-emulator.ts';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { generateKey } from '../src/crypto/key-ring.ts';
import { createSyncRunsRepo } from '../src/db/sync-runs-repo.ts';
import {
  appCalendarsOf,
  type SeededStudent,
  seedStudentsThroughEmulators,
} from '../test/support/many-synced-students.ts';
import { createTestDatabase } from '../test/support/postgres.ts';

const STUDENTS = Number(process.env.BENCH_WORKER_STUDENTS ?? 32);
const ITEMS = Number(process.env.BENCH_WORKER_ITEMS ?? 20);
const CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 2);
const LATENCIES = latencyProfiles(process.env.BENCH_LATENCIES ?? '250/100,20/20');
const ROOT = join(import.meta.dirname, '..');

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`a worker exited (${code}) before starting`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes('CanvasCal worker started')) resolve(child);
      // A worker's warnings and errors (a refused request, a lost job) explain a slow round.
      else if (/"level":(4|5|6)\d/.test(line)) console.error(line);
    });
  });
}

async function stopWorker(worker: ChildProcess | undefined): Promise<void> {
  if (!worker || worker.exitCode !== null) return;
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  worker.kill('SIGTERM');
  await exited;
}

interface LatencyProfile {
  googleMs: number;
  canvasMs: number;
}

/** "20/20,250/100" → each profile's Google and Canvas latency (ms a request). */
function latencyProfiles(text: string): LatencyProfile[] {
  return text.split(',').map((pair) => {
    const [googleMs, canvasMs] = pair.split('/').map(Number);
    if (!Number.isFinite(googleMs) || !Number.isFinite(canvasMs))
      throw new Error(`BENCH_LATENCIES: "${pair}" is not "<google ms>/<canvas ms>"`);
    return { googleMs: Number(googleMs), canvasMs: Number(canvasMs) };
  });
}

export async function runTwoWorkersBench(): Promise<void> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const redisBase = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  if (!adminUrl || !redisBase) {
    console.log('skipped: needs Postgres and Redis (BENCH_DATABASE_URL and BENCH_REDIS_URL)');
    return;
  }
  const redisUrl = new URL(redisBase);
  redisUrl.pathname = '/14';
  const redis = new Redis(redisUrl.toString());
  await redis.flushdb();
  const google = await startGoogleEmulator({ port: 0, seed: false });
  const canvas = await startCanvasEmulator({ port: 0 });
  const database = await createTestDatabase(adminUrl);
  const dir = await mkdtemp(join(tmpdir(), 'canvascal-workers-'));
  const env = {
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl.toString(),
    CANVASCAL_ENCRYPTION_KEYS: generateKey().entry,
    GOOGLE_CLIENT_ID: DEMO_GOOGLE_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: DEMO_GOOGLE_CLIENT.clientSecret,
    GOOGLE_API_URL: google.url,
    SYNC_INTERVAL_MINUTES: '0',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    CANVASCAL_DATA_DIR: dir,
  };
  const api = await createApp({ config: parseConfig({ ...env, LOG_LEVEL: 'silent' }), role: 'api' });
  const workers: ChildProcess[] = [];
  try {
    const http = api.http;
    if (!http) throw new Error('the api has no HTTP server');
    const runs = createSyncRunsRepo(api.db.orm);
    const round = async (workerCount: number, tag: string, latency: LatencyProfile) => {
      const students = await seedStudentsThroughEmulators({
        http,
        google,
        canvas,
        count: STUDENTS,
        items: ITEMS,
        now: Date.now(),
        tag,
      });
      for (let i = workers.length; i < workerCount; i += 1) workers.push(await startWorker(env));
      while (workers.length > workerCount) await stopWorker(workers.pop());
      google.control.setLatency(latency.googleMs);
      canvas.control.setLatency(latency.canvasMs);
      google.control.resetCounts();
      const started = performance.now();
      const ids = await Promise.all(students.map((s) => startSync(http, s)));
      for (;;) {
        const done = await Promise.all(ids.map(({ userId, runId }) => runs.get(userId, runId)));
        if (done.every((r) => r?.status === 'succeeded' || r?.status === 'failed')) {
          const seconds = (performance.now() - started) / 1000;
          google.control.setLatency(0);
          canvas.control.setLatency(0);
          const refused = Object.entries(google.control.requestCounts().byOutcome)
            .filter(([outcome]) => / (403|429)$/.test(outcome))
            .reduce((sum, [, n]) => sum + n, 0);
          return {
            seconds,
            failed: done.filter((r) => r?.status === 'failed').length,
            refused,
            ...check(students),
          };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const check = (students: SeededStudent[]) => {
      let duplicates = 0;
      let calendars = 0;
      for (const s of students) {
        const own = appCalendarsOf(google, s.email);
        calendars += own.length;
        for (const c of own) duplicates += c.summaries.length - new Set(c.summaries).size;
      }
      return { calendars, duplicates };
    };
    const rows: string[] = [];
    for (const latency of LATENCIES) {
      const name = `${latency.googleMs}-${latency.canvasMs}`;
      // Every other profile starts with two workers, so each worker process starts once and a
      // round is not slowed by a cold start (TypeScript compiled, code not yet optimised) that
      // the next round is spared.
      const twoFirst = LATENCIES.indexOf(latency) % 2 === 1;
      const two = twoFirst ? await round(2, `two-workers-${name}`, latency) : undefined;
      const one = await round(1, `one-worker-${name}`, latency);
      const twoAfter = two ?? (await round(2, `two-workers-${name}`, latency));
      for (const [n, r] of [
        [1, one],
        [2, twoAfter],
      ] as const)
        rows.push(
          `| ${latency.googleMs} / ${latency.canvasMs} ms | ${n} | ${r.seconds.toFixed(1)} s | ${n === 2 ? `${(one.seconds / twoAfter.seconds).toFixed(2)}×` : ''} | ${r.failed} | ${r.refused} | ${r.calendars} | ${r.duplicates} |`,
        );
    }
    console.log(
      `${STUDENTS} students a round, ${ITEMS} Canvas items each (first sync), WORKER_CONCURRENCY=${CONCURRENCY}\n`,
    );
    console.log(
      '| Google / Canvas latency | workers | round time | speed-up | failed runs | refused by Google | CanvasCal calendars | duplicate events |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
  } finally {
    for (const worker of workers) await stopWorker(worker);
    await api.close();
    await database.drop();
    await google.close();
    await canvas.close();
    await redis.flushdb();
    redis.disconnect();
    await rm(dir, { recursive: true, force: true });
  }
}

async function startSync(
  http: NonNullable<Awaited<ReturnType<typeof createApp>>['http']>,
  student: SeededStudent,
): Promise<{ userId: string; runId: string }> {
  const res = await http.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers: student.headers });
  if (res.statusCode !== 202) throw new Error(`starting a sync answered ${res.statusCode}: ${res.body}`);
  return { userId: student.userId, runId: res.json().runId };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runTwoWorkersBench();
