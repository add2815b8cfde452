import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe } from 'vitest';
import { startEmulatedApp } from '../support/emulated-app.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres, describeWithRedis } from '../support/services.ts';
import { mcpApplySuite } from './mcp-apply.suite.ts';

describe('on PGlite and the in-process queue', () => {
  mcpApplySuite(() => startEmulatedApp({ PORT: '0' }));
});

describeWithPostgres('on PostgreSQL', (adminUrl) => {
  describeWithRedis('and Redis (BullMQ)', (redisUrl) => {
    const prefix = `canvascal-mcp-apply-${randomBytes(5).toString('hex')}`;
    let drop: () => Promise<void> = async () => {};
    mcpApplySuite(
      async () => {
        const database = await createTestDatabase(adminUrl);
        drop = database.drop;
        return startEmulatedApp(
          { PORT: '0', DATABASE_URL: database.url, REDIS_URL: redisUrl },
          { queuePrefix: prefix },
        );
      },
      async () => {
        const redis = new Redis(redisUrl);
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length > 0) await redis.del(...keys);
        redis.disconnect();
        await drop();
      },
    );
  });
});
