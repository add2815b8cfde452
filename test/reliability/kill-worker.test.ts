import { afterEach, beforeEach, expect, it } from 'vitest';
import { seededRandom } from '../../emulators/shared/seeded-random.ts';
import { exactTruth } from '../support/calendar-truth.ts';
import { type RedisServer, startRedisServer } from '../support/redis-server.ts';
import { type SplitWorld, startSplitWorld, waitUntil } from '../support/split-world.ts';
import { describeReliability } from './services.ts';

/** The Google calls of a first sync, in the order it makes them. */
const FIRST_SYNC_CALLS = ['calendar.calendarList.list', 'calendar.calendars.insert', 'batch'];
type Moment = 'while Google holds the call' | 'as Google answers it';

/** Where seed `seed` kills the worker: which call, and whether before or after Google applied it. */
function killPoint(seed: number): { method: string; moment: Moment } {
  const next = seededRandom(seed);
  return {
    method: FIRST_SYNC_CALLS[Math.floor(next() * FIRST_SYNC_CALLS.length)] ?? 'batch',
    moment: next() < 0.5 ? 'while Google holds the call' : 'as Google answers it',
  };
}

const CASES: Array<{ seed: number; method: string; moment: Moment }> = [
  // Always: inside calendars.insert, on both sides of Google making the calendar.
  { seed: 0, method: 'calendar.calendars.insert', moment: 'while Google holds the call' },
  { seed: 0, method: 'calendar.calendars.insert', moment: 'as Google answers it' },
  ...[2, 5, 8].map((seed) => ({ seed, ...killPoint(seed) })),
];

/**
 * Issue 13: a worker killed with SIGKILL at some point of a student's first sync. Another
 * worker takes the job over once its lock lapses, and the calendar ends exactly right: one
 * CanvasCal calendar, one event per Canvas item, nothing else.
 */
describeReliability('a worker killed -9 during a first sync', (adminUrl) => {
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

  for (const { seed, method, moment } of CASES) {
    it(`seed ${seed}: killed in ${method}, ${moment}`, async () => {
      const w = await startSplitWorld({ adminUrl, redis });
      world = w;
      const student = await w.student('killed@example.edu', 'killed@gmail.test');
      // Held long enough to be seen; the worker dies while Google still works on the call.
      w.google.control.setLatency(moment === 'as Google answers it' ? 300 : 1_500, { method, count: 1 });
      const runId = await w.startSync(student.headers);
      await waitUntil(() => (w.google.control.heldRequests()[method] ?? 0) > 0, 30_000, w.output);
      if (moment === 'as Google answers it')
        await waitUntil(() => (w.google.control.heldRequests()[method] ?? 0) === 0, 30_000, w.output);
      await w.worker.kill();
      await w.startWorker();

      const run = await w.settle(student.headers, runId);
      const context = `seed ${seed} (${method}, ${moment})\n${w.output()}`;
      expect(run.status, context).toBe('succeeded');
      const truth = w.truth(student);
      expect(truth, context).toEqual(exactTruth(truth.events));
      expect(truth.events).toBeGreaterThan(0);
      expect(w.google.control.requestCounts().byMethod[method], context).toBeGreaterThanOrEqual(1);

      // The next sync finds nothing to do.
      const again = await w.settle(student.headers, await w.startSync(student.headers));
      expect(again.status, context).toBe('succeeded');
      expect(w.truth(student), context).toEqual(truth);
    }, 150_000);
  }
});
