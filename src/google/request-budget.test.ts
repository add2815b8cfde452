import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { describeWithRedis } from '../../test/support/services.ts';
import { createRedisBudget } from './redis-request-budget.ts';
import { requestBudgetContract } from './request-budget.contract.ts';
import { createMemoryBudget } from './request-budget.ts';

describe('request budget in this process', () => {
  requestBudgetContract({ make: (quotas) => createMemoryBudget(quotas) });
});

describeWithRedis('request budget on Redis', (redisUrl) => {
  const prefixes: string[] = [];
  requestBudgetContract({
    make: (quotas) => {
      const prefix = `canvascal-test-budget-${randomBytes(5).toString('hex')}`;
      prefixes.push(prefix);
      return createRedisBudget({ redisUrl, prefix, quotas });
    },
  });
  it('is one budget for every process: two workers on one Redis together stay under the quotas', async () => {
    const prefix = `canvascal-test-budget-${randomBytes(5).toString('hex')}`;
    prefixes.push(prefix);
    const quotas = { perUserPerMinute: 600, perProjectPerMinute: 10_000 };
    const workers = [
      createRedisBudget({ redisUrl, prefix, quotas }),
      createRedisBudget({ redisUrl, prefix, quotas }),
    ];
    try {
      const now = Date.UTC(2026, 11, 31, 23, 59, 0);
      let granted = 0;
      // Both ask for the same user at the same instant, over and over: together they get one quota.
      for (let i = 0; i < 30; i++) {
        const decisions = await Promise.all(workers.map((w) => w.take('alice', 50, now)));
        granted += decisions.filter((d) => d.granted).length * 50;
      }
      expect(granted).toBe(600);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
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
