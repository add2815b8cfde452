import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { liveEnqueuer, PUSH_FOLLOW_JOB } from '../../src/live/live-jobs.ts';
import { createBullmqQueue } from '../../src/queue/bullmq-queue.ts';
import type { Queue } from '../../src/queue/queue.ts';
import { describeWithRedis } from '../support/services.ts';

// On BullMQ the debounce holds across processes: two `serve` processes receiving
// notifications for one calendar still make one sync, run by whichever worker takes it.
// Each role is its own queue connection on one prefix, as separate processes would be.

describeWithRedis('the push debounce on BullMQ, across processes', (redisUrl) => {
  const prefixes: string[] = [];
  const queues: Queue[] = [];
  const open = (prefix: string) => {
    const queue = createBullmqQueue({ redisUrl, prefix });
    queues.push(queue);
    return queue;
  };
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close(2_000)));
  });
  afterAll(async () => {
    const redis = new Redis(redisUrl);
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });

  it('notifications received by two serve processes make one sync, and one more when they arrive during it', async () => {
    const prefix = `canvascal-test-${randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    const serveA = liveEnqueuer(open(prefix), { debounceMs: 500, backoffMs: 10 });
    const serveB = liveEnqueuer(open(prefix), { debounceMs: 500, backoffMs: 10 });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const runs: Array<{ userId: string; calendarId: string }> = [];
    for (const worker of [open(prefix), open(prefix)])
      worker.process<{ userId: string; calendarId: string }>(
        PUSH_FOLLOW_JOB,
        async (payload) => {
          runs.push(payload);
          if (runs.length === 1) await held;
        },
        { concurrency: 2 },
      );

    const joined = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? serveA : serveB).followLater('u1', 'primary')),
    );
    expect(joined.filter((j) => !j.joined)).toHaveLength(1);
    await vi.waitFor(() => expect(runs).toHaveLength(1), { timeout: 10_000, interval: 20 });
    // The sync is running: ten more notifications, to both processes, make one more sync.
    for (let i = 0; i < 10; i++) await (i % 2 ? serveA : serveB).followLater('u1', 'primary');
    release();
    await vi.waitFor(() => expect(runs).toHaveLength(2), { timeout: 10_000, interval: 20 });
    // Another calendar is its own window.
    await serveA.followLater('u1', 'app-calendar');
    await vi.waitFor(() => expect(runs).toHaveLength(3), { timeout: 10_000, interval: 20 });
    expect(runs.map((r) => r.calendarId)).toEqual(['primary', 'primary', 'app-calendar']);
  });
});
