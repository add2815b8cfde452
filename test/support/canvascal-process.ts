import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AppOptions, ProcessRole } from '../../src/app.ts';

const MAIN = fileURLToPath(new URL('./canvascal-process-main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface CanvasCalProcess {
  readonly role: ProcessRole;
  /** The API's base URL (empty for a worker). */
  readonly url: string;
  readonly pid: number;
  /** Everything it wrote, for a failure message. */
  output(): string;
  /** `kill -9`: no drain, no cleanup, locks left to lapse. */
  kill(): Promise<void>;
  /** SIGTERM and wait for it to exit (killed if it takes more than 15 s). */
  stop(): Promise<void>;
}

/**
 * A CanvasCal process of its own (an API or a worker, as in a split deployment), started with
 * `env` as its whole configuration; resolves once it runs, rejects with its output if it dies
 * first or takes over `startTimeoutMs`.
 */
export async function startCanvasCalProcess(
  role: Exclude<ProcessRole, 'all'>,
  env: Record<string, string>,
  timings: Pick<AppOptions, 'retryBaseMs' | 'lostJobCheckMs' | 'lostJobGraceMs' | 'queueLockMs'> = {},
  startTimeoutMs = 60_000,
): Promise<CanvasCalProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, role, JSON.stringify(timings)],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const lines: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${role} process did not start in ${startTimeoutMs} ms:\n${lines.join('')}`));
    }, startTimeoutMs);
    child.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      lines.push(text);
      const ready = /^READY (.*)$/m.exec(text);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]?.trim() ?? '');
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${role} process exited (${code ?? signal}) before it ran:\n${lines.join('')}`));
    });
  });
  const pid = child.pid ?? 0;
  return {
    role,
    url,
    pid,
    output: () => lines.join(''),
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
