import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

/**
 * A split deployment as separate OS processes: `canvascal emulate google|canvas`,
 * `canvascal serve --no-workers` and `canvascal worker`, each started from src/main.ts the way
 * an operator would, talking to each other only over HTTP, Postgres and Redis. Nothing is
 * shared in memory, so no fake clock reaches them: the windows they wait on are configured.
 */

const root = new URL('../..', import.meta.url).pathname;

export interface ChildHandle {
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL if it has not exited within 10 s. */
  stop(): Promise<void>;
}

function launch(args: string[], env: Record<string, string | undefined>): ChildHandle {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves with the first match of `pattern` in the output; rejects if the process exits first. */
function waitForLine(handle: ChildHandle, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(handle.output());
      if (!match) return;
      done();
      resolve(match);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${pattern} never printed; exited with ${code}:\n${handle.output()}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${pattern} not printed within ${timeoutMs} ms:\n${handle.output()}`));
    }, timeoutMs);
    const done = () => {
      clearTimeout(timer);
      handle.child.stdout?.off('data', check);
      handle.child.stderr?.off('data', check);
      handle.child.off('exit', onExit);
    };
    handle.child.stdout?.on('data', check);
    handle.child.stderr?.on('data', check);
    handle.child.once('exit', onExit);
    check();
  });
}

/** A port free right now (for a PUBLIC_URL the other processes must know before serve listens). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export interface EmulatorProcess extends ChildHandle {
  readonly url: string;
  /** The emulator's control API (`POST /_emulator/<name>` with a JSON array of arguments). */
  control<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
}

/** `canvascal emulate google|canvas` on a free port, seeded with the demo student. */
export async function startEmulatorProcess(which: 'google' | 'canvas'): Promise<EmulatorProcess> {
  const handle = launch(['emulate', which, '--port', '0'], {});
  const url = (await waitForLine(handle, /listening on (http:\/\/\S+)/))[1] ?? '';
  return {
    ...handle,
    url,
    async control<T>(name: string, ...args: unknown[]): Promise<T> {
      const res = await fetch(`${url}/_emulator/${name}`, { method: 'POST', body: JSON.stringify(args) });
      const body = (await res.json()) as { result?: T; error?: { message: string } };
      if (!res.ok) throw new Error(`control ${name}: ${res.status} ${body.error?.message}`);
      return body.result as T;
    },
  };
}

/** The Canvas emulator's demo student's personal token, as its start-up guide prints it. */
export async function demoCanvasToken(canvas: EmulatorProcess): Promise<string> {
  return (await waitForLine(canvas, /Demo student token \(personal access token\): (\S+)/))[1] ?? '';
}

export interface CanvasCalProcess extends ChildHandle {
  /** Where it answers HTTP: the API for serve, the health server (WORKER_PORT) for a worker. */
  readonly url: string;
}

/** `canvascal serve --no-workers` (the API alone); `env.PORT` must be set when PUBLIC_URL is. */
export async function startServeProcess(env: Record<string, string | undefined>): Promise<CanvasCalProcess> {
  const handle = launch(['serve', '--no-workers'], { LOG_FORMAT: 'json', ...env });
  const url = (await waitForLine(handle, /CanvasCal is listening on (http:\/\/[^"\s]+)/))[1] ?? '';
  return { ...handle, url };
}

/** `canvascal worker` (jobs only), with its health server on a free port. */
export async function startWorkerProcess(env: Record<string, string | undefined>): Promise<CanvasCalProcess> {
  const port = await freePort();
  const handle = launch(['worker'], { LOG_FORMAT: 'json', WORKER_PORT: String(port), ...env });
  await waitForLine(handle, /CanvasCal worker started/);
  return { ...handle, url: `http://127.0.0.1:${port}` };
}

/** One Prometheus sample's value from a `/metrics` text (0 when absent). */
export function metricValue(text: string, sample: string): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(sample)) continue;
    const rest = line.slice(sample.length);
    if (rest.startsWith(' ')) return Number(rest.trim());
  }
  return 0;
}
