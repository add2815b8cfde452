import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedConnectedStudents } from '../../test/support/many-students.ts';
import { migratedPglite } from '../../test/support/pglite.ts';
import { CanvasAccount } from '../accounts/canvas-account.ts';
import { createCalendarCacheRepo } from '../db/calendar-cache-repo.ts';
import { createCanvasConnectionsRepo } from '../db/canvas-connections-repo.ts';
import type { Database } from '../db/client.ts';
import { createDeadlinesRepo } from '../db/deadlines-repo.ts';
import { createEventMappingsRepo } from '../db/event-mappings-repo.ts';
import { createGoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import { createSyncRunsRepo } from '../db/sync-runs-repo.ts';
import { createUsersRepo } from '../db/users-repo.ts';
import type { BulkJob, JobHandler, Queue } from '../queue/queue.ts';
import {
  CALENDAR_FOLLOW_JOB,
  CANVAS_SYNC_ALL_JOB,
  CANVAS_SYNC_JOB,
  SYNC_RUNS_PRUNE_JOB,
} from './canvas-sync-jobs.ts';
import { registerJobs } from './register-jobs.ts';

let db: Database;
beforeEach(async () => {
  db = await migratedPglite();
});
afterEach(() => db.close());

/** A queue that records schedules and bulk adds, and runs a handler only when told. */
function recordingQueue() {
  const handlers = new Map<string, JobHandler<unknown>>();
  const repeats = new Map<string, number>();
  const added: Array<BulkJob<unknown>> = [];
  const queue: Queue = {
    add: async () => ({ id: 'x', coalesced: false }),
    addMany: async (jobs) => {
      added.push(...jobs);
    },
    process: (name, handler) => {
      handlers.set(name, handler as JobHandler<unknown>);
    },
    repeat: async (name, _payload, everyMs) => {
      repeats.set(name, everyMs);
    },
    getJob: async () => undefined,
    ping: async () => {},
    onEvent: () => {},
    close: async () => {},
  };
  const run = (name: string) => handlers.get(name)?.({}, { id: name, name, attempt: 1 });
  return { queue, repeats, added, run };
}

describe('the periodic jobs of a worker', () => {
  it('tick once a minute across workers, each tick queuing both kinds of run for its slice of the period', async () => {
    const recorded = recordingQueue();
    const students = await db.withSession((s) => seedConnectedStudents(s, 40));
    const googleConnections = createGoogleConnectionsRepo(db.orm);
    const canvasConnections = createCanvasConnectionsRepo(db.orm);
    const noop = async () => 'added' as const;
    const stop = await registerJobs({
      queue: recorded.queue,
      config: { workerConcurrency: 1, syncIntervalMinutes: 5, googleBatchesInFlight: 1 },
      logger: pino({ level: 'silent' }),
      google: undefined,
      runs: createSyncRunsRepo(db.orm),
      users: createUsersRepo(db.orm),
      mappings: createEventMappingsRepo(db.orm),
      deadlines: createDeadlinesRepo(db.orm),
      calendarCache: createCalendarCacheRepo(db.orm),
      googleConnections,
      canvasConnections,
      canvasAccount: new CanvasAccount({
        connections: canvasConnections,
        sealer: { seal: (p: string) => p, open: (p: string) => ({ plaintext: p, stale: false }) },
        probe: {
          whoAmI: async () => {
            throw new Error('not called');
          },
        },
        allowHttp: false,
      }),
      enqueueCanvasSync: noop,
      enqueueCalendarFollow: noop,
      googleRetryBaseMs: 1000,
      lostJobCheckMs: 0,
      // Five ticks of a five-minute period, starting at a fixed period start.
      now: (() => {
        let tick = 0;
        return () => Date.UTC(2027, 4, 3, 10, 0, 0) + 60_000 * tick++;
      })(),
    });
    expect(Object.fromEntries(recorded.repeats)).toEqual({
      [CANVAS_SYNC_ALL_JOB]: 60_000,
      [SYNC_RUNS_PRUNE_JOB]: 3_600_000,
    });
    for (let tick = 0; tick < 5; tick += 1) await recorded.run(CANVAS_SYNC_ALL_JOB);
    const usersOf = (job: string) =>
      recorded.added
        .filter((j) => j.name === job)
        .map((j) => (j.payload as { userId: string }).userId)
        .sort();
    expect(usersOf(CANVAS_SYNC_JOB)).toEqual(students);
    expect(usersOf(CALENDAR_FOLLOW_JOB)).toEqual(students);
    await stop();
  });
});
