import { afterEach, beforeEach, expect, it } from 'vitest';
import { exactTruth } from '../support/calendar-truth.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { type SplitWorld, startSplitWorld, waitUntil } from '../support/split-world.ts';
import { describeReliability } from './services.ts';

const OUTAGE_MS = 4_000;

/**
 * Issue 13: PostgreSQL cut off (every connection reset) and black-holed (connections stay
 * open, no byte passes) through the proxy both processes reach it by, in the middle of a
 * first sync. The run must end, and the calendar be exactly right.
 */
describeReliability('PostgreSQL cut or black-holed during a sync', (adminUrl) => {
  let redis: RedisServer;
  let world: SplitWorld | undefined;
  beforeEach(async () => {
    redis = await startRedisServer();
  });
  afterEach(async () => {
    world?.postgres.restore();
    await world?.close();
    world = undefined;
    await redis.close();
  });

  for (const outage of ['cut', 'black-holed'] as const) {
    it(`PostgreSQL ${outage} while the worker writes the calendar`, async () => {
      const w = await startSplitWorld({ adminUrl, redis });
      world = w;
      const student = await w.student('pg@example.edu', 'pg@gmail.test');
      // The first batch is held, so the outage strikes with the run under way.
      w.google.control.setLatency(1_000, { method: 'batch', count: 1 });
      const runId = await w.startSync(student.headers);
      await waitUntil(() => (w.google.control.heldRequests().batch ?? 0) > 0, 30_000, w.output);
      if (outage === 'cut') {
        w.postgres.cut();
      } else {
        w.postgres.blackHole();
        // An outage of a few seconds, as the test decides; nothing is asserted on time.
        await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
        w.postgres.restore();
      }

      const run = await w.settle(student.headers, runId, 90_000);
      const context = `PostgreSQL ${outage}\n${w.output()}`;
      expect(run.status, context).toBe('succeeded');
      const truth = w.truth(student);
      expect(truth, context).toEqual(exactTruth(truth.events));
      expect(truth.events).toBeGreaterThan(0);
    }, 150_000);
  }
});
