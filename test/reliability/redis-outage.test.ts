import { afterEach, beforeEach, expect, it } from 'vitest';
import { exactTruth } from '../support/calendar-truth.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { type SplitWorld, startSplitWorld, waitUntil } from '../support/split-world.ts';
import { describeReliability } from './services.ts';

/**
 * Issue 13: Redis restarted (clients lose their connections) and Redis wiped (every job and
 * lock gone) while one student's run is running and another's waits in the queue, also with
 * the running run's worker killed. Both runs must end, and both calendars be exactly right.
 */
describeReliability('Redis restarted or wiped with a run running and one queued', (adminUrl) => {
  let redis: RedisServer;
  let world: SplitWorld | undefined;
  beforeEach(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    await world?.close();
    world = undefined;
    await redis.close();
  });

  for (const outage of ['restarted', 'wiped', 'wiped as its worker died'] as const) {
    it(`Redis ${outage}`, async () => {
      // One job at a time, so the second student's run stays queued while the first runs.
      const w = await startSplitWorld({ adminUrl, redis, env: { WORKER_CONCURRENCY: '1' } });
      world = w;
      const running = await w.student('running@example.edu', 'running@gmail.test');
      const queued = await w.student('queued@example.edu', 'queued@gmail.test');
      w.google.control.setLatency(3_000, { method: 'batch', count: 1 });
      const runningId = await w.startSync(running.headers);
      await waitUntil(() => (w.google.control.heldRequests().batch ?? 0) > 0, 30_000, w.output);
      const queuedId = await w.startSync(queued.headers);
      expect((await w.run(running.headers, runningId)).status).toBe('running');
      expect((await w.run(queued.headers, queuedId)).status).toBe('queued');

      if (outage === 'restarted') await redis.restart();
      else {
        // With its worker gone too, nothing but the check for lost jobs knows the running run.
        if (outage === 'wiped as its worker died') await w.worker.kill();
        await redis.wipe();
        expect(await redis.keyCount()).toBe(0);
        if (outage === 'wiped as its worker died') await w.startWorker();
      }

      for (const [student, runId] of [
        [running, runningId],
        [queued, queuedId],
      ] as const) {
        const run = await w.settle(student.headers, runId);
        const context = `${student.googleEmail}, Redis ${outage}\n${w.output()}`;
        expect(run.status, context).toBe('succeeded');
        const truth = w.truth(student);
        expect(truth, context).toEqual(exactTruth(truth.events));
        expect(truth.events).toBeGreaterThan(0);
      }

      // The queue works on afterwards: a new sync runs and changes nothing.
      const again = await w.settle(queued.headers, await w.startSync(queued.headers));
      expect(again.status, w.output()).toBe('succeeded');
      expect(w.truth(queued).missing).toEqual([]);
    }, 150_000);
  }
});
