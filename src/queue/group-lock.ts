import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Long enough for a sync; renewed while the job runs, so a crashed worker frees it in one TTL.
const DEFAULT_LOCK_TTL_MS = 30_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A lock per group key across every worker: SET NX PX with a random token, renewed while
 * held, released only by its holder (compare-and-delete in Lua).
 */
export function createGroupLock(redis: Redis, keyPrefix: string, ttlMs = DEFAULT_LOCK_TTL_MS) {
  const renewals = new Map<string, NodeJS.Timeout>();
  return {
    async acquire(group: string): Promise<string | undefined> {
      const token = randomUUID();
      const ok = await redis.set(keyPrefix + group, token, 'PX', ttlMs, 'NX');
      if (ok !== 'OK') return undefined;
      const timer = setInterval(() => {
        void redis.eval(RENEW, 1, keyPrefix + group, token, String(ttlMs)).catch(() => {});
      }, ttlMs / 3);
      timer.unref();
      renewals.set(token, timer);
      return token;
    },
    async release(group: string, token: string): Promise<void> {
      clearInterval(renewals.get(token));
      renewals.delete(token);
      await redis.eval(RELEASE, 1, keyPrefix + group, token).catch(() => {});
    },
  };
}
