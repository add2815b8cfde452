import { describe, it } from 'vitest';

/**
 * Real Postgres and Redis are used whenever TEST_DATABASE_URL / TEST_REDIS_URL are set.
 * With REQUIRE_SERVICES=1 (CI) a missing URL is an error, not a skip.
 */
const env = process.env;
export const TEST_DATABASE_URL = env.TEST_DATABASE_URL || undefined;
export const TEST_REDIS_URL = env.TEST_REDIS_URL || undefined;
const REQUIRE_SERVICES = env.REQUIRE_SERVICES === '1';

function describeWithService(service: string, variable: string, url: string | undefined) {
  return (name: string, body: (url: string) => void): void => {
    if (url) {
      describe(name, () => body(url));
      return;
    }
    if (REQUIRE_SERVICES) {
      throw new Error(`REQUIRE_SERVICES=1 but ${variable} is not set: ${service} is required for "${name}"`);
    }
    // The body is not collected: it would run with no URL (and `new URL('')` throws).
    describe(name, () => {
      it.skip(`skipped: set ${variable} to run against ${service}`, () => {});
    });
  };
}

export const describeWithPostgres = describeWithService('PostgreSQL', 'TEST_DATABASE_URL', TEST_DATABASE_URL);
export const describeWithRedis = describeWithService('Redis', 'TEST_REDIS_URL', TEST_REDIS_URL);
