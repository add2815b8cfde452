import { expect, it } from 'vitest';
import type { RequestBudget } from './request-budget.ts';

export interface BudgetHarness {
  /** A budget on a fresh backend with these quotas (a new key prefix on Redis). */
  make(quotas: { perUserPerMinute: number; perProjectPerMinute: number }): RequestBudget;
}

const MINUTE = 60_000;
// An arbitrary fixed instant: the budget reads no clock of its own, so any day behaves alike.
const START = Date.UTC(2026, 2, 29, 0, 59, 30, 250);

/** The most admitted in any window (t − 60 s, t], Google's sliding minute. */
function busiestMinute(admitted: Array<{ at: number; cost: number }>): number {
  let most = 0;
  let sum = 0;
  let first = 0;
  for (const entry of admitted) {
    sum += entry.cost;
    while ((admitted[first]?.at ?? entry.at) <= entry.at - MINUTE) {
      sum -= admitted[first]?.cost ?? 0;
      first += 1;
    }
    most = Math.max(most, sum);
  }
  return most;
}

/** A caller that sends as fast as the budget lets it: batches of 50 with a read now and then. */
async function greedy(budget: RequestBudget, users: string[], until: number) {
  const admitted: Array<{ at: number; cost: number; user: string }> = [];
  let now = START;
  let step = 0;
  while (now < until) {
    let soonest = Number.POSITIVE_INFINITY;
    for (const user of users) {
      const cost = step++ % 7 === 0 ? 1 : 50;
      const decision = await budget.take(user, cost, now);
      if (decision.granted) admitted.push({ at: now, cost, user });
      else soonest = Math.min(soonest, decision.retryAfterMs);
    }
    // Google's clock and ours move together; the next try is when the budget said, or soon.
    now += Number.isFinite(soonest) ? soonest : 37;
  }
  return admitted;
}

/** The promises every RequestBudget keeps, with a simulated clock passed to each call. */
export function requestBudgetContract(harness: BudgetHarness): void {
  it('paces one user under the per-user quota over ten simulated minutes, and uses most of it', async () => {
    const budget = harness.make({ perUserPerMinute: 600, perProjectPerMinute: 10_000 });
    try {
      const admitted = await greedy(budget, ['alice'], START + 10 * MINUTE);
      expect(busiestMinute(admitted)).toBeLessThanOrEqual(600);
      const total = admitted.reduce((sum, entry) => sum + entry.cost, 0);
      // Counting whole seconds costs at most one second a minute: over 90% of the quota is used.
      expect(total).toBeGreaterThan(5_400);
    } finally {
      await budget.close();
    }
  });

  it('holds every user to their quota and all of them together to the project quota', async () => {
    const budget = harness.make({ perUserPerMinute: 600, perProjectPerMinute: 2_000 });
    try {
      const users = ['u1', 'u2', 'u3', 'u4', 'u5'];
      const admitted = await greedy(budget, users, START + 4 * MINUTE);
      expect(busiestMinute(admitted)).toBeLessThanOrEqual(2_000);
      expect(busiestMinute(admitted)).toBeGreaterThan(1_800);
      for (const user of users)
        expect(busiestMinute(admitted.filter((e) => e.user === user))).toBeLessThanOrEqual(600);
    } finally {
      await budget.close();
    }
  });

  it('takes nothing when it refuses, and says when the request would fit', async () => {
    const budget = harness.make({ perUserPerMinute: 100, perProjectPerMinute: 120 });
    try {
      expect(await budget.take('a', 100, START)).toEqual({ granted: true });
      // The project has 20 left: b's 50 is refused, and b's own window stays empty.
      const refused = await budget.take('b', 50, START + 10_000);
      expect(refused.granted).toBe(false);
      expect(await budget.take('b', 20, START + 10_000)).toEqual({ granted: true });
      const wait = refused.granted ? 0 : refused.retryAfterMs;
      expect(wait).toBeGreaterThan(50_000);
      expect(wait).toBeLessThanOrEqual(62_000);
      expect((await budget.take('b', 50, START + 10_000 + wait)).granted).toBe(true);
    } finally {
      await budget.close();
    }
  });

  it('pauses a user Google refused until the time given, and nobody else', async () => {
    const budget = harness.make({ perUserPerMinute: 600, perProjectPerMinute: 10_000 });
    try {
      await budget.pauseUser('a', START + 61_000);
      expect(await budget.take('a', 1, START + 1_000)).toEqual({ granted: false, retryAfterMs: 60_000 });
      expect(await budget.take('b', 1, START + 1_000)).toEqual({ granted: true });
      expect(await budget.take('a', 1, START + 61_000)).toEqual({ granted: true });
    } finally {
      await budget.close();
    }
  });
}
