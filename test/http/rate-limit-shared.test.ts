import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { describeWithRedis } from '../support/services.ts';
import { startTestApp } from '../support/test-app.ts';

// Two API processes behind one load balancer must share one budget per client, or the
// limit is multiplied by the number of processes.
describeWithRedis('rate limit shared through Redis', (redisUrl) => {
  let a: { app: CanvasCalApp; close(): Promise<void> };
  let b: { app: CanvasCalApp; close(): Promise<void> };

  beforeAll(async () => {
    const redis = new Redis(redisUrl);
    await redis.del('canvascal-ratelimit:ip:127.0.0.1');
    redis.disconnect();
    const env = { REDIS_URL: redisUrl, RATE_LIMIT_PER_MINUTE: '3' };
    a = await startTestApp(env);
    b = await startTestApp(env);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it('counts requests to either process against one budget', async () => {
    const login = (app: CanvasCalApp) =>
      app.http?.inject({
        method: 'POST',
        url: '/api/v1/auth/local/login',
        payload: { email: 'rl@example.edu' },
      });
    for (let i = 0; i < 3; i++) expect((await login(i % 2 === 0 ? a.app : b.app))?.statusCode).toBe(200);
    const fourth = await login(b.app);
    expect(fourth?.statusCode).toBe(429);
    expect(fourth?.json().error.code).toBe('rate_limited');
  });
});
