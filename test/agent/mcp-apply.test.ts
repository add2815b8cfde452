import { describe } from 'vitest';
import { startEmulatedApp } from '../support/emulated-app.ts';
import { emulatedAppOnServices } from '../support/emulated-app-on-services.ts';
import { describeWithPostgres, describeWithRedis } from '../support/services.ts';
import { mcpApplySuite } from './mcp-apply.suite.ts';

describe('on PGlite and the in-process queue', () => {
  mcpApplySuite(() => startEmulatedApp({ PORT: '0' }));
});

describeWithPostgres('on PostgreSQL', (adminUrl) => {
  describeWithRedis('and Redis (BullMQ)', (redisUrl) => {
    const { start, cleanUp } = emulatedAppOnServices(adminUrl, redisUrl, 'mcp-apply', { PORT: '0' });
    mcpApplySuite(start, cleanUp);
  });
});
