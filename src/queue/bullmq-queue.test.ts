import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithRedis } from '../../test/support/services.ts';
import { createBullmqQueue } from './bullmq-queue.ts';
import { queueContract } from './queue.contract.ts';
import { QueueUnavailableError } from './queue.ts';

describeWithRedis('BullMQ queue on Redis', (redisUrl) => {
  const prefixes: string[] = [];
  let prefix = '';
  queueContract({
    make: () => {
      prefix = `canvascal-test-${randomBytes(5).toString('hex')}`;
      prefixes.push(prefix);
      return createBullmqQueue({ redisUrl, prefix });
    },
    another: () => createBullmqQueue({ redisUrl, prefix }),
  });

  it('fails fast with QueueUnavailableError when Redis cannot be reached', async () => {
    const queue = createBullmqQueue({ redisUrl: 'redis://127.0.0.1:1', prefix: 'unreachable' });
    try {
      await expect(queue.add('sync', {})).rejects.toBeInstanceOf(QueueUnavailableError);
      await expect(queue.ping()).rejects.toBeInstanceOf(QueueUnavailableError);
    } finally {
      await queue.close(100);
    }
  });

  afterAll(async () => {
    const redis = new Redis(redisUrl);
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });
});

// Needs no Redis: it is about what happens while there is none.
describe('BullMQ queue while Redis is down', () => {
  it('answers many readiness pings without piling up listeners on the connection', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const queue = createBullmqQueue({
      redisUrl: 'redis://127.0.0.1:1',
      prefix: 'unreachable',
      readyTimeoutMs: 5,
    });
    try {
      for (let i = 0; i < 15; i++) await expect(queue.ping()).rejects.toBeInstanceOf(QueueUnavailableError);
      // Probes that overlap share one wait.
      const together = Array.from({ length: 15 }, () => queue.ping());
      for (const ping of together) await expect(ping).rejects.toBeInstanceOf(QueueUnavailableError);
      // A warning is emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
      await queue.close(100);
    }
  });
});
