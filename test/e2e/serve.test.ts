import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

function startServe(
  env: Record<string, string>,
  args: string[] = ['serve'],
): { child: ChildProcess; url: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args], {
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
