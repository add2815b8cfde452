import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDataDir } from '../support/data-dir.ts';

const root = new URL('../..', import.meta.url).pathname;

function startServe(
  env: Record<string, string>,
  args: string[] = ['serve'],
  // How the user starts it: the entry point itself, the installed `canvascal` launcher, or `npm start`.
  launcher: 'entry' | 'bin' | 'npm' = 'entry',
): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const [command, ...prefix] =
    launcher === 'npm'
      ? ['npm', 'start', '--silent']
      : launcher === 'bin'
        ? [process.execPath, join(root, 'bin/canvascal.js')]
        : [process.execPath, '--import', 'tsx', join(root, 'src/main.ts')];
  const child = spawn(command ?? 'node', launcher === 'npm' ? prefix : [...prefix, ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_FORMAT: 'json',
      PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /CanvasCal is listening on (http:\/\/[^"\s]+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`serve exited with ${code} before listening:\n${output}`)));
  });
  // A test that expects the process to fail never awaits `url`; keep its rejection handled.
  url.catch(() => undefined);
  return { child, url, output: () => output };
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

describe('canvascal serve (the embedded default)', () => {
  it('serves /healthz on a fresh data dir with no Postgres or Redis, and stops cleanly on SIGTERM', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'canvascal-e2e-')), '.canvascal');
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const serve = startServe({ CANVASCAL_DATA_DIR: dataDir });
    cleanup.push(async () => void serve.child.kill('SIGKILL'));
    const url = await serve.url;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(existsSync(join(dataDir, 'pgdata'))).toBe(true);
    expect(statSync(join(dataDir, 'auth-secret')).mode & 0o777).toBe(0o600);

    const exited = exitCode(serve.child);
    serve.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(serve.output()).toContain('shutting down');
  });

  it('refuses to start in production without keys, naming every missing variable', async () => {
    const serve = startServe({ NODE_ENV: 'production' });
    const code = await exitCode(serve.child);
    expect(code).toBe(2);
    expect(serve.output()).toContain('CANVASCAL_ENCRYPTION_KEYS: required when NODE_ENV=production');
    expect(serve.output()).toContain('AUTH_JWT_SECRET or AUTH_JWKS_URL');
  });
});

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// Real Google settings turn the built-in emulators off; nothing here talks to Google.
const realGoogle = { GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'secret' };

describe('canvascal as systemd or Docker runs it', () => {
  it.each(['bin', 'npm'] as const)(
    'passes SIGTERM from the %s launcher to the server, which drains, stops, and takes the launcher with it',
    async (launcher) => {
      // Not what this test is about: start from the run's migrated template, skipping initdb.
      const dataDir = await freshDataDir('canvascal-e2e-');
      cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
      const serve = startServe({ CANVASCAL_DATA_DIR: dataDir }, ['serve'], launcher);
      cleanup.push(async () => void serve.child.kill('SIGKILL'));
      const url = await serve.url;
      const server = Number(
        execFileSync('ps', ['-o', 'pid=', '--ppid', String(serve.child.pid)], { encoding: 'utf8' }).trim(),
      );
      expect(server).toBeGreaterThan(0);
      cleanup.push(async () => void (isRunning(server) && process.kill(server, 'SIGKILL')));
      expect((await fetch(`${url}/healthz`)).status).toBe(200);

      const exited = exitCode(serve.child);
      serve.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // The launcher exits when the server has: by now the server is gone.
      expect(isRunning(server)).toBe(false);
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      expect(serve.output()).toContain('shutting down');
      expect(serve.output()).toMatch(/"msg":"stopped"/);
    },
  );

  it('refuses API-only and worker-only processes without Redis, saying what to set', async () => {
    for (const args of [['serve', '--no-workers'], ['worker']]) {
      const run = startServe(realGoogle, args);
      expect(await exitCode(run.child)).toBe(2);
      expect(run.output()).toContain('needs REDIS_URL');
      expect(run.output()).toContain('run `canvascal serve`');
      expect(run.output()).not.toContain('    at ');
    }
  });

  it('refuses API-only and worker-only processes with the built-in emulators', async () => {
    for (const args of [['serve', '--no-workers'], ['worker']]) {
      const run = startServe({ REDIS_URL: 'redis://127.0.0.1:6379' }, args);
      expect(await exitCode(run.child)).toBe(2);
      expect(run.output()).toContain('cannot run with the built-in emulators');
      expect(run.output()).toContain('GOOGLE_CLIENT_ID');
    }
  });

  it('names REDIS_URL and the address, never its password, when Redis is down at startup', async () => {
    const dataDir = await freshDataDir('canvascal-e2e-');
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const serve = startServe({
      ...realGoogle,
      CANVASCAL_DATA_DIR: dataDir,
      REDIS_URL: 'redis://app:hunter2secret@127.0.0.1:1',
    });
    cleanup.push(async () => void serve.child.kill('SIGKILL'));
    expect(await exitCode(serve.child)).toBe(1);
    expect(serve.output()).toContain('Cannot reach Redis at redis://127.0.0.1:1 (REDIS_URL)');
    expect(serve.output()).not.toContain('hunter2secret');
    expect(serve.output()).not.toContain('QueueUnavailableError');
  });

  it('migrates in production with only the database configured', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'canvascal-e2e-')), '.canvascal');
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const migrate = startServe({ NODE_ENV: 'production', CANVASCAL_DATA_DIR: dataDir }, ['migrate']);
    expect(await exitCode(migrate.child), migrate.output()).toBe(0);
    expect(migrate.output()).toContain('migrations applied');
  });
});
