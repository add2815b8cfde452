import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { Queue } from '../queue/queue.ts';
import { registerRepairJobs, STUDY_REPAIR_JOB } from './repair-jobs.ts';
import type { RepairDeps } from './repair-plan.ts';

// A repair job holds the user's study-plan lock, the one a proposal write (the MCP tool's
// apply) takes, so the two never write the same student's calendar at once.

describe('the repair job', () => {
  it('runs only while holding the user’s study-plan lock', async () => {
    const handlers = new Map<string, (payload: unknown) => Promise<unknown>>();
    const queue = {
      process: (name: string, handler: (payload: unknown) => Promise<unknown>) => handlers.set(name, handler),
      repeat: async () => {},
    } as unknown as Queue;
    const repairsSeen: string[] = [];
    const repair = {
      users: { getPlannerPreferences: async () => ({}) },
      connections: { get: async () => undefined },
      plans: {
        takeTriggers: async () => [],
        setState: async (userId: string) => void repairsSeen.push(userId),
      },
      now: () => new Date('2026-12-01T08:00:00Z'),
    } as unknown as RepairDeps;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const locked: string[] = [];
    await registerRepairJobs({
      queue,
      logger: pino({ level: 'silent' }),
      repair,
      enqueue: { repairLater: async () => ({ jobId: 'x', joined: false }) },
      connectedUserIds: async () => [],
      async lock(userId, fn) {
        locked.push(userId);
        await held; // another writer (an apply) holds it
        return fn();
      },
    });
    const job = handlers.get(STUDY_REPAIR_JOB)?.({ userId: 'alice', trigger: 'manual' });
    await Promise.resolve();
    await Promise.resolve();
    expect(locked).toEqual(['alice']);
    expect(repairsSeen).toEqual([]);
    release();
    await job;
    expect(repairsSeen).toEqual(['alice']);
  });
});
