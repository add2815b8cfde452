import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
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
