import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../support/services.ts';

const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

/**
 * The reliability suite needs PostgreSQL (TEST_DATABASE_URL: it makes a database of its own
 * there) and Redis (TEST_REDIS_URL, and the `redis-server` binary: it runs a Redis of its own
 * that it may restart and wipe). Missing any: skipped with the reason, or an error under
 * REQUIRE_SERVICES=1 (CI).
 */
export function describeReliability(name: string, body: (adminUrl: string) => void): void {
  const missing = [
    ...(TEST_DATABASE_URL ? [] : ['TEST_DATABASE_URL (PostgreSQL)']),
    ...(TEST_REDIS_URL ? [] : ['TEST_REDIS_URL (Redis)']),
    ...(hasRedisServer ? [] : ['the redis-server binary on PATH']),
  ];
  if (missing.length === 0 && TEST_DATABASE_URL) {
    describe(name, () => body(TEST_DATABASE_URL as string));
    return;
  }
  if (process.env.REQUIRE_SERVICES === '1')
    throw new Error(`REQUIRE_SERVICES=1 but the reliability suite "${name}" lacks ${missing.join(', ')}`);
  describe(name, () => {
    it.skip(`skipped: the reliability suite needs ${missing.join(', ')}`, () => {});
  });
}
