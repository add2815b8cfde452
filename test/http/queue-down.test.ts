import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CanvasCalApp, createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { createSyncRunsRepo } from '../../src/db/sync-runs-repo.ts';

let app: CanvasCalApp;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canvascal-redis-down-'));
  // Nothing listens on port 1: Redis is "down" for this API process.
  app = await createApp({
    config: parseConfig({
      CANVASCAL_DATA_DIR: dir,
      REDIS_URL: 'redis://127.0.0.1:1',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      CANVASCAL_EMULATORS: 'off',
    }),
    role: 'api',
  });
});
afterAll(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe('when Redis is down', () => {
  it('answers a sync request with 503 at once and leaves no run stuck as queued', async () => {
    const login = await app.http?.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} });
    const headers = { authorization: `Bearer ${login?.json().accessToken}` };
    const res = await app.http?.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    expect(res?.statusCode).toBe(503);
    expect(res?.json().error).toEqual({
      code: 'queue_unavailable',
      message: 'The job queue is unreachable; try again shortly.',
    });
    expect(res?.headers['retry-after']).toBe('5');
    const userId = login?.json().user.id;
    const runs = await createSyncRunsRepo(app.db.orm).latest(userId, 'canvas');
    expect(runs.map((r) => [r.status, r.errorCode])).toEqual([['failed', 'queue_unavailable']]);
  });

  it('is not ready, and says the queue is why', async () => {
    const res = await app.http?.inject('/readyz');
    expect(res?.statusCode).toBe(503);
    expect(res?.json().checks.database).toBe('ok');
    expect(res?.json().error.message).toBe('Not reachable: queue');
  });
});
