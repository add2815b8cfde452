import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Env } from '../../src/config.ts';
import { type EmulatedApp, startEmulatedApp } from './emulated-app.ts';
import { createTestDatabase } from './postgres.ts';

/**
 * `start` and `cleanUp` for a suite that runs the emulated app on real PostgreSQL and Redis:
 * the app gets a throwaway database and a random queue prefix of its own, and `cleanUp` deletes
 * that prefix's keys and drops the database, so suites never share state. One app per suite.
 */
export function emulatedAppOnServices(
  adminUrl: string,
  redisUrl: string,
  name: string,
  env: Env = {},
): {
  start(options?: Omit<Parameters<typeof startEmulatedApp>[1], 'queuePrefix'>): Promise<EmulatedApp>;
  cleanUp(): Promise<void>;
} {
  const prefix = `canvascal-${name}-${randomBytes(5).toString('hex')}`;
  let drop: () => Promise<void> = async () => {};
  return {
    async start(options: Omit<Parameters<typeof startEmulatedApp>[1], 'queuePrefix'> = {}) {
      const database = await createTestDatabase(adminUrl);
      drop = database.drop;
      return startEmulatedApp(
        { ...env, DATABASE_URL: database.url, REDIS_URL: redisUrl },
        { ...options, queuePrefix: prefix },
      );
    },
    async cleanUp() {
      const redis = new Redis(redisUrl);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
      await drop();
    },
  };
}
