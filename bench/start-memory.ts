// Resident memory of `npm start` on the embedded default (PGlite, in-process queue, built-in
// emulators): the same command as the npm script (`node --import tsx src/main.ts serve`,
// spawned directly so the pid is the server's, not npm's), in a fresh data dir. VmRSS and
// VmHWM (the peak) from /proc/<pid>/status after start, and after the demo flow driven over
// HTTP (connect Google and Canvas, a first sync, a no-op re-sync). Baseline beside it: the
// figures of the issue (#18) before PGlite's memory settings. On Postgres with
// BENCH_DATABASE_URL, the same run on a throwaway database. `npm run bench start-memory`.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { createTestDatabase } from '../test/support/postgres.ts';

const ROOT = join(import.meta.dirname, '..');
const STUDENT = 'student@example.edu';

async function memory(pid: number): Promise<{ rssMb: number; peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) };
}

/** Starts the server; resolves with its API and emulator URLs once it listens. */
function start(env: Record<string, string>): Promise<{ child: ChildProcess; api: string; google: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOG_LEVEL: 'info', PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let google = '';
    child.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let entry: { msg?: string; google?: string; url?: string; address?: string };
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (/emulators started/.test(entry.msg ?? '') && entry.google) google = entry.google;
      const listening = /listening/i.test(entry.msg ?? '') ? (entry.url ?? entry.address) : undefined;
      if (listening) resolve({ child, api: listening, google });
    });
  });
}

async function demoFlow(api: string, google: string): Promise<void> {
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  };
  const token = String((await call('POST', '/api/v1/auth/local/login', {})).accessToken);
  const { url } = await call('GET', '/api/v1/auth/google/url', undefined, token);
  const approved = await fetch(`${google}/_emulator/approveConsent`, {
    method: 'POST',
    body: JSON.stringify([url, { email: STUDENT }]),
  });
  const redirect = new URL(String(((await approved.json()) as { result: string }).result));
  await call(
    'POST',
    '/api/v1/auth/google/token',
    { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    token,
  );
  await call('POST', '/api/v1/canvas/connection/demo', undefined, token);
  for (let i = 0; i < 2; i += 1) {
    const { runId } = await call('POST', '/api/v1/sync/canvas', undefined, token);
    for (;;) {
      const run = await call('GET', `/api/v1/sync/runs/${String(runId)}`, undefined, token);
      if (run.status === 'failed') throw new Error(`the demo sync failed: ${JSON.stringify(run.error)}`);
      if (run.status === 'succeeded') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function measure(env: Record<string, string>) {
  const { child, api, google } = await start(env);
  try {
    // Settle: the first seconds still run migrations' garbage and lazy imports.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const fresh = await memory(child.pid ?? 0);
    await demoFlow(api, google);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const demo = await memory(child.pid ?? 0);
    return { fresh, demo };
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export async function runStartMemoryBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'canvascal-mem-'));
  const rows: string[] = [];
  try {
    const first = await measure({ CANVASCAL_DATA_DIR: dir });
    // A second start on the same data dir: initdb's peak (in a worker thread) is gone.
    const again = await measure({ CANVASCAL_DATA_DIR: dir });
    rows.push(
      `| embedded, fresh data dir | ${first.fresh.rssMb} MB | ${first.demo.rssMb} MB | ${first.demo.peakMb} MB | 550–575 / 588 MB, peak 940–1,030 |`,
      `| embedded, restart | ${again.fresh.rssMb} MB | ${again.demo.rssMb} MB | ${again.demo.peakMb} MB | |`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const adminUrl = process.env.BENCH_DATABASE_URL;
  if (adminUrl) {
    const database = await createTestDatabase(adminUrl);
    try {
      const pg = await measure({
        DATABASE_URL: database.url,
        CANVASCAL_DATA_DIR: await mkdtemp(join(tmpdir(), 'canvascal-mem-pg-')),
      });
      rows.push(`| Postgres | ${pg.fresh.rssMb} MB | ${pg.demo.rssMb} MB | ${pg.demo.peakMb} MB | 217 MB |`);
    } finally {
      await database.drop();
    }
  }
  console.log('| `npm start` | RSS after start | RSS after the demo sync | peak | issue #18 (before) |');
  console.log('|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runStartMemoryBench();
