import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe } from 'vitest';
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
  afterAll(async () => {
    const redis = new Redis(redisUrl);
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });
});
