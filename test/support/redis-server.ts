import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

/** A port nobody listens on right now (the OS's pick; free until someone else takes it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * A redis-server of the test's own on a free port, so a test may restart or wipe it without
 * touching the machine's shared Redis. `restart()` stops it without warning and starts it again
 * on the same port with the data of a snapshot taken just before (clients lose their
 * connections, not their jobs); `wipe()` empties it as it runs.
 */
export async function startRedisServer(binary = 'redis-server') {
  const dir = await mkdtemp(join(tmpdir(), 'canvascal-redis-'));
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const output: string[] = [];

  const launch = async () => {
    const started = spawn(
      binary,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const spawnError = new Promise<never>((_, reject) => started.once('error', reject));
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    try {
      for (let tries = 0; ; tries += 1) {
        const up = await Promise.race([
          probe.connect().then(
            () => true,
            () => false,
          ),
          spawnError,
        ]);
        if (up) break;
        if (tries > 100) throw new Error(`redis-server did not start on ${port}:\n${output.join('')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      probe.disconnect();
    }
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  const admin = async <T>(use: (redis: Redis) => Promise<T>): Promise<T> => {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    try {
      return await use(redis);
    } finally {
      redis.disconnect();
    }
  };

  await launch();
  return {
    url,
    port,
    async restart() {
      await admin((redis) => redis.save());
      await stop();
      await launch();
    },
    async wipe() {
      await admin((redis) => redis.flushall());
    },
    /** How many keys it holds (to show a wipe really emptied it). */
    keyCount: () => admin((redis) => redis.dbsize()),
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type RedisServer = Awaited<ReturnType<typeof startRedisServer>>;
