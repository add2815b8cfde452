import { describe, expect, it } from 'vitest';
import type { DeadlineRecord } from '../db/deadlines-repo.ts';
import { PLANNER_LIMITS } from '../planner/index.ts';
import { type PlanPreviewDeps, previewStudyPlan } from './plan-preview.ts';
import { inThreadSolver, type SolveJob } from './solve-plan.ts';

// A plan from stored data stays within the planner's limits like the API's explicit input:
// what is past them is trimmed and said in the notes, and the solver never sees more.

const NOW = new Date('2026-09-01T04:00:00Z');
const HOUR = 3_600_000;

function record(n: number): DeadlineRecord {
  return {
    sourceKey: `assignment:1:${n}`,
    kind: 'assignment',
    courseId: '1',
    courseName: 'Biology',
    title: `Worksheet ${n}`,
    dueAt: new Date(NOW.getTime() + 24 * HOUR + n * HOUR),
    allDay: false,
    allDayDate: null,
    pointsPossible: 1,
    submitted: false,
    htmlUrl: null,
    effortMinutes: 15,
  };
}

function depsWith(deadlines: DeadlineRecord[], busyCount: number) {
  const jobs: SolveJob[] = [];
  const deps: PlanPreviewDeps = {
    users: { getPlannerPreferences: async () => ({}) },
    deadlines: { list: async () => deadlines },
    busy: async () => ({
      busy: Array.from({ length: busyCount }, (_, j) => ({
        start: new Date(NOW.getTime() + j * 120_000).toISOString(),
        end: new Date(NOW.getTime() + j * 120_000 + 60_000).toISOString(),
      })),
      notes: [],
    }),
    solve: (job) => {
      jobs.push(job);
      return inThreadSolver(job);
    },
  };
  return { deps, jobs };
}

describe('a plan from stored data', () => {
  it('plans the deadlines due soonest up to the limit, and says how many wait', async () => {
    const many = Array.from({ length: PLANNER_LIMITS.deadlines + 1 }, (_, n) => record(n));
    const { deps, jobs } = depsWith(many.reverse(), 0);
    const plan = await previewStudyPlan(deps, 'alice', { now: NOW });
    expect(plan.deadlines).toHaveLength(PLANNER_LIMITS.deadlines);
    expect(plan.deadlines.map((d) => d.deadlineId)).not.toContain(`assignment:1:${PLANNER_LIMITS.deadlines}`);
    expect(plan.notes).toEqual([expect.stringMatching(/501 open deadlines .* at most 500/)]);
    expect(jobs).toHaveLength(1);
  });

  it('counts the time past the busy-interval limit as unknown, never as free', async () => {
    const { deps, jobs } = depsWith([record(0)], PLANNER_LIMITS.busyIntervals + 10);
    const plan = await previewStudyPlan(deps, 'alice', { now: NOW });
    expect(jobs[0]?.input.busy).toHaveLength(PLANNER_LIMITS.busyIntervals);
    expect(plan.busy.at(-1)).toMatchObject({ status: 'unknown', end: plan.horizonEnd });
    expect(plan.notes).toEqual([expect.stringMatching(/more than 5000 busy intervals/)]);
  });
});
