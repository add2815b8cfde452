import { randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { describeWithRedis } from '../support/services.ts';
import { type LiveApp, startLiveApp } from './live-app.ts';

// Redis goes away and comes back, behind a TCP proxy the test opens and closes. While it is
// gone a verified change is answered 503, which Google retries; the same notification,
// delivered again once Redis is back, is queued and synced: the change is late, not lost.

/** A TCP proxy to Redis that can drop every connection and refuse new ones, then resume. */
async function redisProxy(target: URL) {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(Number(target.port || 6379), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        const address = server?.address();
        port = typeof address === 'object' && address ? address.port : 0;
        resolve();
      });
    });
  await open();
  return {
    url: () => `redis://127.0.0.1:${port}`,
    down: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server?.close(() => resolve());
      }),
    up: open,
  };
}

describeWithRedis('the receiver when Redis goes away and comes back', (redisUrl) => {
  let proxy: Awaited<ReturnType<typeof redisProxy>>;
  let live: LiveApp;
  const prefix = `canvascal-test-${randomBytes(5).toString('hex')}`;

  beforeAll(async () => {
    proxy = await redisProxy(new URL(redisUrl));
    live = await startLiveApp({ env: { REDIS_URL: proxy.url() }, queuePrefix: prefix, pushDebounceMs: 100 });
  }, 60_000);
  afterAll(async () => {
    await live?.close();
    await proxy?.down();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it('answers 503 while Redis is down, and processes the same notification delivered again', async () => {
    const day = new Date(Date.now() + 6 * 86_400_000).toISOString().slice(0, 10);
    live.google.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'Delivered twice',
      start: { dateTime: `${day}T12:00:00Z` },
      end: { dateTime: `${day}T13:00:00Z` },
    });
    const channel = live.channelOn('primary');
    await proxy.down();
    const first = await live.notify(channel);
    expect(first.statusCode).toBe(503);
    expect(first.headers['retry-after']).toBeDefined();
    await proxy.up();
    // Google retries with backoff; here: until the receiver accepts it.
    await vi.waitFor(async () => expect((await live.notify(channel)).statusCode).toBe(200), {
      timeout: 20_000,
      interval: 250,
    });
    // Usually within a second; up to the group lock's 30 s when the outage cut a lock's
    // release (the user's jobs then wait for that lock to lapse): late, never lost.
    await vi.waitFor(
      async () => {
        const rows = await live.app.db.withSession((s) =>
          s.query<{ n: string }>(
            "select count(*) as n from calendar_events where summary = 'Delivered twice'",
          ),
        );
        expect(Number(rows[0]?.n)).toBe(1);
      },
      { timeout: 60_000, interval: 50 },
    );
    expect(await live.notifications('queue_unavailable')).toBe(1);
    // The waits above may take 20 s + 60 s: the default 30-s test timeout cut them short.
  }, 90_000);
});
