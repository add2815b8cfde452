import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { createSyncRunsRepo } from '../../src/db/sync-runs-repo.ts';
import { connectedUser, TEST_GOOGLE_CLIENT } from '../support/connected-user.ts';
import { startTestApp } from '../support/test-app.ts';

let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', ...TEST_GOOGLE_CLIENT }));
});
afterAll(() => close());

describe('when Redis is down', () => {
  it('answers a sync request with 503 at once and leaves no run stuck as queued', async () => {
    const { headers, userId } = await connectedUser(app, 'student@example.edu');
    const res = await app.http?.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    expect(res?.statusCode).toBe(503);
    expect(res?.json().error).toEqual({
      code: 'queue_unavailable',
      message: 'The job queue is unreachable; try again shortly.',
    });
    expect(res?.headers['retry-after']).toBe('5');
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
