import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { createSyncRunsRepo } from '../../src/db/sync-runs-repo.ts';
import {
  CALENDAR_FOLLOW_JOB,
  CANVAS_SYNC_JOB,
  userJobEnqueuer,
  userJobId,
} from '../../src/jobs/canvas-sync-jobs.ts';
import { requeueLostJobs } from '../../src/jobs/lost-jobs.ts';
import { connectedUser, TEST_GOOGLE_CLIENT } from '../support/connected-user.ts';
import { describeWithRedis } from '../support/services.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { startTestApp } from '../support/test-app.ts';

/**
 * Issue 13, item 9: Redis restarted without its data, and every later sync request answered
 * 202 `joined` to a run no queue held. The API process only (no worker takes the jobs), on a
 * Redis database of its own that the test wipes, reached through a proxy the test can cut.
 */
describeWithRedis('runs whose job the queue lost', (redisUrl) => {
  const database = new URL(redisUrl);
  database.pathname = '/13';
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let admin: Redis;
  let app: CanvasCalApp;
  let close: () => Promise<void>;

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: database.hostname, port: Number(database.port || 6379) });
    admin = new Redis(database.toString());
    await admin.flushdb();
    ({ app, close } = await startTestApp({
      REDIS_URL: proxy.through(database.toString()),
      ...TEST_GOOGLE_CLIENT,
    }));
  });
  afterEach(async () => {
    proxy.restore();
    // The producer recovers by itself, also from a connection whose handshake the black
    // hole swallowed: the next test starts once it has.
    await vi.waitFor(() => app.queue.ping(), { timeout: 20_000, interval: 100 });
  });
  afterAll(async () => {
    await close();
    await admin.flushdb();
    admin.disconnect();
    await proxy.close();
  });

  const post = (headers: Record<string, string>) =>
    app.http?.inject({ method: 'POST', url: '/api/v1/sync/calendars', headers });

  it('a run joined after Redis lost its data gets its job back', async () => {
    const { headers } = await connectedUser(app, 'wiped@example.edu', { canvas: false });
    const first = await post(headers);
    expect(first?.statusCode).toBe(202);
    const runId: string = first?.json().runId;
    expect(await app.queue.getJob(userJobId(CALENDAR_FOLLOW_JOB, runId))).toMatchObject({ state: 'waiting' });

    await admin.flushdb();
    expect(await app.queue.getJob(userJobId(CALENDAR_FOLLOW_JOB, runId))).toBeUndefined();

    const joined = await post(headers);
    expect(joined?.statusCode).toBe(202);
    expect(joined?.json()).toMatchObject({ runId, joined: true });
    expect(await app.queue.getJob(userJobId(CALENDAR_FOLLOW_JOB, runId))).toMatchObject({ state: 'waiting' });
  });

  it('answers 503 to a request that would join a queued run while Redis is unreachable', async () => {
    const { headers } = await connectedUser(app, 'redis-down@example.edu', { canvas: false });
    const first = await post(headers);
    expect(first?.statusCode).toBe(202);
    proxy.blackHole();
    proxy.cut();
    const joined = await post(headers);
    expect(joined?.statusCode).toBe(503);
    expect(joined?.json().error.code).toBe('queue_unavailable');
    expect((await app.http?.inject('/readyz'))?.statusCode).toBe(503);
  });

  it('the worker-side check re-adds the job of a queued run nobody asks about again', async () => {
    const { userId } = await connectedUser(app, 'forgotten@example.edu', { canvas: false });
    const runs = createSyncRunsRepo(app.db.orm);
    // A run recorded as queued whose add never reached the queue (or was wiped with it).
    const { run } = await runs.createOrJoin(userId, 'canvas');
    const enqueueFor = userJobEnqueuer(app.queue, 1_000);
    const outcome = await requeueLostJobs({
      runs,
      enqueue: { canvas: enqueueFor(CANVAS_SYNC_JOB), calendars: enqueueFor(CALENDAR_FOLLOW_JOB) },
      logger: pino({ level: 'silent' }),
      now: () => Date.now() + 60_000,
    });
    expect(outcome.requeued).toBeGreaterThanOrEqual(1);
    expect(await app.queue.getJob(userJobId(CANVAS_SYNC_JOB, run.id))).toMatchObject({ state: 'waiting' });
    // A second pass finds the job there and changes nothing.
    const again = await requeueLostJobs({
      runs,
      enqueue: { canvas: enqueueFor(CANVAS_SYNC_JOB), calendars: enqueueFor(CALENDAR_FOLLOW_JOB) },
      logger: pino({ level: 'silent' }),
      now: () => Date.now() + 60_000,
    });
    expect(again).toEqual({ requeued: 0, failed: 0 });
  });

  it('a run left running when Redis lost its job (wiped, or its worker killed) is queued again', async () => {
    const { userId } = await connectedUser(app, 'running-lost@example.edu', { canvas: false });
    const runs = createSyncRunsRepo(app.db.orm);
    const { run } = await runs.createOrJoin(userId, 'canvas');
    await runs.markRunning(run.id);
    const enqueueFor = userJobEnqueuer(app.queue, 1_000);
    const check = () =>
      requeueLostJobs({
        runs,
        enqueue: { canvas: enqueueFor(CANVAS_SYNC_JOB), calendars: enqueueFor(CALENDAR_FOLLOW_JOB) },
        logger: pino({ level: 'silent' }),
        now: () => Date.now() + 60_000,
      });
    expect((await check()).requeued).toBeGreaterThanOrEqual(1);
    expect(await app.queue.getJob(userJobId(CANVAS_SYNC_JOB, run.id))).toMatchObject({ state: 'waiting' });
    expect((await runs.get(userId, run.id))?.status).toBe('running');
    // Its job is there now: a second pass leaves it alone.
    expect(await check()).toEqual({ requeued: 0, failed: 0 });
  });
});
