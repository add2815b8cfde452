import type { Config } from '../config.ts';
import { createRedisBudget } from './redis-request-budget.ts';
import { createMemoryBudget, type RequestBudget } from './request-budget.ts';

/**
 * The deployment's Google request budget: on Redis when the queue is (every worker and API
 * process then shares one per-user and one per-project minute), else in this process, which
 * on the embedded default makes every Google call there is.
 */
export function requestBudgetFor(
  config: Pick<Config, 'queue' | 'googleQuota'>,
  prefix: string,
): RequestBudget {
  return config.queue.kind === 'bullmq'
    ? createRedisBudget({
        redisUrl: config.queue.redisUrl,
        prefix: `${prefix}:google-quota`,
        quotas: config.googleQuota,
      })
    : createMemoryBudget(config.googleQuota);
}
