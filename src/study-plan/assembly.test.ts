import type { Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { Queue } from '../queue/queue.ts';
import { assembleStudyPlan } from './assembly.ts';
import { STUDY_REPAIR_JOB } from './repair-jobs.ts';

// The triggers' side of the study plan: which events queue a repair. The hooks decide from
// what the sync or follow reports, so the store is a stub.
function assembled() {
  const add = vi.fn<Queue['add']>(async () => ({ id: 'job-1', coalesced: false }));
  const plan = assembleStudyPlan({
    // The store is reached only to note a trigger beside its job.
    orm: {
      insert: () => ({ values: () => ({ onConflictDoUpdate: async () => {} }) }),
    } as never,
    queue: { add } as unknown as Queue,
    logger: { info() {} } as unknown as Logger,
    users: {} as never,
    deadlines: {} as never,
    googleConnections: {} as never,
    calendarCache: {} as never,
    solve: (async () => {
      throw new Error('not solved here');
    }) as never,
    retryBaseMs: 1,
  });
  const repairsQueued = () => add.mock.calls.filter(([name]) => name === STUDY_REPAIR_JOB);
  return { plan, repairsQueued };
}

describe('the Canvas-sync trigger', () => {
  it('an unchanged sync queues no repair', async () => {
    const { plan, repairsQueued } = assembled();
    await plan.afterCanvasSync('u1', { deadlineWrites: { written: 0, removed: 0 } });
    expect(repairsQueued()).toHaveLength(0);
  });

  it('a sync that wrote or removed a deadline queues one repair for that user', async () => {
    const { plan, repairsQueued } = assembled();
    await plan.afterCanvasSync('u1', { deadlineWrites: { written: 2, removed: 0 } });
    await plan.afterCanvasSync('u2', { deadlineWrites: { written: 0, removed: 1 } });
    expect(repairsQueued().map(([, payload]) => payload)).toEqual([
      { userId: 'u1', trigger: 'canvas-sync' },
      { userId: 'u2', trigger: 'canvas-sync' },
    ]);
  });
});
