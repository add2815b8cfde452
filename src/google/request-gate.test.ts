import { describe, expect, it } from 'vitest';
import { createMemoryBudget, QuotaWaitError } from './request-budget.ts';
import { budgetGate } from './request-gate.ts';

const START = Date.UTC(2026, 1, 28, 23, 59, 59, 900);

describe('budgetGate', () => {
  it('waits in place for a short wait, and gives the job back (taking nothing) for a long one', async () => {
    let clock = START;
    const slept: number[] = [];
    const budget = createMemoryBudget({ perUserPerMinute: 100, perProjectPerMinute: 10_000 });
    const gate = budgetGate(budget, 'u', {
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      maxWaitMs: 2_000,
    });
    await gate.acquire(100);
    const waited = await gate.acquire(1).catch((error: unknown) => error);
    expect(waited).toBeInstanceOf(QuotaWaitError);
    expect((waited as QuotaWaitError).retryAfterMs).toBeGreaterThan(60_000);
    expect(slept).toEqual([]);
    // Nothing was taken by the refused acquire: once the window has passed, 100 fit again.
    clock += (waited as QuotaWaitError).retryAfterMs;
    await gate.acquire(100);

    const patient = budgetGate(budget, 'u', {
      now: () => clock,
      sleep: async (ms) => {
        slept.push(ms);
        clock += ms;
      },
      maxWaitMs: Number.POSITIVE_INFINITY,
    });
    await patient.acquire(1);
    expect(slept).toHaveLength(1);
  });

  it('pauses the user past Google’s minute after a refusal', async () => {
    let clock = START;
    const budget = createMemoryBudget({ perUserPerMinute: 600, perProjectPerMinute: 10_000 });
    const gate = budgetGate(budget, 'u', { now: () => clock, sleep: async () => {} });
    await gate.refused();
    await expect(gate.acquire(1)).rejects.toMatchObject({ retryAfterMs: 61_000 });
    clock += 61_000;
    await expect(gate.acquire(1)).resolves.toBeUndefined();
  });
});
