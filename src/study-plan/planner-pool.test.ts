import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../errors.ts';
import type { PlannerInputData } from '../planner/index.ts';
import { createPlannerPool, type PlannerPool } from './planner-pool.ts';
import { solvePlan } from './solve-plan.ts';

const MISBEHAVING = new URL('./testing/misbehaving-planner.ts', import.meta.url);
const NOW = '2026-08-24T04:00:00Z';

/** A small term: a dozen deadlines over three weeks around some classes. */
function term(): PlannerInputData {
  const day = 86_400_000;
  const start = Date.parse(NOW);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    now: NOW,
    preferences: { timeZone: 'America/New_York', horizonDays: 21 },
    deadlines: Array.from({ length: 12 }, (_, j) => ({
      id: `d${j}`,
      title: `Homework ${j}`,
      course: `C${j % 3}`,
      dueAt: iso(start + (2 + j) * day + 23 * 3_600_000),
      effortMinutes: 60 + 30 * (j % 4),
      priority: 1 + (j % 5),
    })),
    busy: Array.from({ length: 20 }, (_, j) => ({
      start: iso(start + j * day + 21 * 3_600_000),
      end: iso(start + j * day + 22 * 3_600_000),
    })),
  };
}
const marked = (now: string): PlannerInputData => ({ ...term(), now });

const codeOf = (error: unknown) => (error instanceof AppError ? [error.status, error.code] : [String(error)]);

let pool: PlannerPool | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await pool?.close();
  pool = undefined;
});

describe('the planner pool', () => {
  it('plans on a worker thread exactly as the solver does in this thread', async () => {
    pool = createPlannerPool({ size: 2 });
    const input = term();
    const fresh = solvePlan({ input });
    const [first, second] = await Promise.all([pool.run({ input }), pool.run({ input })]);
    const strip = (o: typeof fresh) => (o.ok ? { ...o, solveMs: 0 } : o);
    expect(strip(first as typeof fresh)).toEqual(strip(fresh));
    expect(strip(second as typeof fresh)).toEqual(strip(fresh));
    expect(fresh.ok && fresh.result.sessions.length).toBeGreaterThan(0);

    // A re-plan over an earlier plan gives the same answer on both sides too.
    const previous = fresh.ok ? fresh.result.sessions.slice(0, 5) : [];
    const busier = {
      ...input,
      busy: [...(input.busy ?? []), { start: previous[0]?.start ?? NOW, end: previous[0]?.end ?? NOW }],
    };
    expect(strip((await pool.run({ input: busier, previous })) as typeof fresh)).toEqual(
      strip(solvePlan({ input: busier, previous })),
    );
    expect(pool.stats()).toMatchObject({ completed: 3, crashes: 0, timeouts: 0 });
  });

  it('answers invalid input as an outcome naming the field, not as a failure', async () => {
    pool = createPlannerPool({ size: 1 });
    const outcome = await pool.run({ input: { ...term(), preferences: { horizonDays: 181 } } });
    expect(outcome).toEqual({
      ok: false,
      message: expect.stringMatching(/preferences\.horizonDays: at most 180 days ahead/),
    });
  });

  it('fails only the plan whose thread crashed, and the next plan gets a fresh thread', async () => {
    pool = createPlannerPool({ size: 1, module: MISBEHAVING });
    const crashed = await pool.run({ input: marked('crash') }).catch((e: unknown) => e);
    expect(codeOf(crashed)).toEqual([500, 'planner_crashed']);
    expect((crashed as Error).message).toMatch(/restarted\. Try again/);
    const next = await pool.run({ input: term() });
    expect(next.ok).toBe(true);
    expect(pool.stats()).toMatchObject({ crashes: 1, workers: 1 });
  });

  it('reports a bug thrown by the solver and keeps serving on the same thread', async () => {
    pool = createPlannerPool({ size: 1, module: MISBEHAVING });
    await expect(pool.run({ input: marked('throw') })).rejects.toThrow(/planner failed: a bug in the solver/);
    expect((await pool.run({ input: term() })).ok).toBe(true);
    expect(pool.stats()).toMatchObject({ crashes: 0, completed: 2 });
  });

  it('stops a plan past its timeout with a clear error, then plans the next one', async () => {
    pool = createPlannerPool({ size: 1, timeoutMs: 30_000, module: MISBEHAVING });
    const p = pool;
    // A first plan starts the thread; the hung one then goes to it at once, under fake timers.
    expect((await p.run({ input: term() })).ok).toBe(true);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const hung = p.run({ input: marked('hang') }).catch((e: unknown) => e);
    expect(p.stats().running).toBe(1);
    vi.advanceTimersByTime(29_999);
    expect(p.stats()).toMatchObject({ running: 1, timeouts: 0 });
    vi.advanceTimersByTime(1);
    const error = await hung;
    expect(codeOf(error)).toEqual([422, 'planner_timeout']);
    expect((error as Error).message).toMatch(/longer than 30 s.*fewer deadlines/);
    expect((await p.run({ input: term() })).ok).toBe(true);
    expect(p.stats()).toMatchObject({ timeouts: 1, completed: 2 });
  });

  it('answers 503 past its queue, and close() rejects what is queued or running', async () => {
    pool = createPlannerPool({ size: 1, maxQueued: 1, module: MISBEHAVING });
    const p = pool;
    expect((await p.run({ input: term() })).ok).toBe(true);
    const running = p.run({ input: marked('hang') }).catch((e: unknown) => e);
    expect(p.stats().running).toBe(1);
    const waiting = p.run({ input: term() }).catch((e: unknown) => e);
    const refused = await p.run({ input: term() }).catch((e: unknown) => e);
    expect(codeOf(refused)).toEqual([503, 'planner_busy']);
    expect(p.stats()).toMatchObject({ running: 1, queued: 1 });

    await p.close();
    expect(codeOf(await running)).toEqual([503, 'planner_unavailable']);
    expect(codeOf(await waiting)).toEqual([503, 'planner_unavailable']);
    expect(codeOf(await p.run({ input: term() }).catch((e: unknown) => e))).toEqual([
      503,
      'planner_unavailable',
    ]);
    expect(p.stats()).toMatchObject({ workers: 0, running: 0, queued: 0 });
  });

  it('answers 429 to a user past their own plans, while another user still gets in', async () => {
    pool = createPlannerPool({ size: 1, maxQueued: 8, maxPerUser: 2, module: MISBEHAVING });
    const p = pool;
    expect((await p.run({ input: term(), userId: 'alice' })).ok).toBe(true);
    const first = p.run({ input: marked('hang'), userId: 'alice' }).catch((e: unknown) => e);
    const second = p.run({ input: term(), userId: 'alice' }).catch((e: unknown) => e);
    const third = await p.run({ input: term(), userId: 'alice' }).catch((e: unknown) => e);
    expect(codeOf(third)).toEqual([429, 'too_many_plans']);
    const bobs = p.run({ input: term(), userId: 'bob' }).catch((e: unknown) => e);
    expect(p.stats()).toMatchObject({ running: 1, queued: 2 });
    await p.close();
    for (const refused of [first, second, bobs])
      expect(codeOf(await refused)).toEqual([503, 'planner_unavailable']);
  });

  it('starts no thread until a plan arrives', async () => {
    pool = createPlannerPool({ size: 2 });
    expect(pool.stats().workers).toBe(0);
  });
});
