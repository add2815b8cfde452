import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AssignmentProblem, assignSlots } from './slot-assignment.ts';
import { MaxFlow } from './testing/max-flow.ts';

const problemArb: fc.Arbitrary<AssignmentProblem> = fc
  .record({
    daySizes: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 6 }),
    caps: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 6, maxLength: 6 }),
    usableSeed: fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }),
    jobs: fc.array(
      fc.record({ a: fc.nat(40), b: fc.nat(40), demand: fc.integer({ min: 0, max: 8 }), rank: fc.nat(10) }),
      { maxLength: 6 },
    ),
  })
  .map((r) => {
    const slotDay: number[] = [];
    r.daySizes.forEach((size, d) => {
      for (let k = 0; k < size; k += 1) slotDay.push(d);
    });
    const n = slotDay.length;
    return {
      slotCount: n,
      slotDay: Int32Array.from(slotDay),
      usable: Uint8Array.from(slotDay, (_, k) => (r.usableSeed[k] === false ? 0 : 1)),
      dayCap: Int32Array.from(r.daySizes, (_, d) => r.caps[d] ?? 0),
      jobs: r.jobs.map((j, i) => ({
        lo: Math.min(j.a, j.b) % (n + 1),
        hi: Math.max(j.a, j.b) % (n + 1),
        demand: j.demand,
        rank: i,
      })),
    };
  });

function maxFlowOf(p: AssignmentProblem): number {
  const days = p.dayCap.length;
  const flow = new MaxFlow(2 + p.jobs.length + p.slotCount + days);
  p.jobs.forEach((job, j) => {
    flow.addEdge(0, 2 + j, job.demand);
    for (let t = job.lo; t <= job.hi && t < p.slotCount; t += 1) {
      if (p.usable[t] === 1) flow.addEdge(2 + j, 2 + p.jobs.length + t, 1);
    }
  });
  for (let t = 0; t < p.slotCount; t += 1) {
    flow.addEdge(2 + p.jobs.length + t, 2 + p.jobs.length + p.slotCount + (p.slotDay[t] ?? 0), 1);
  }
  for (let d = 0; d < days; d += 1) flow.addEdge(2 + p.jobs.length + p.slotCount + d, 1, p.dayCap[d] ?? 0);
  return flow.run(0, 1);
}

describe('assignSlots', () => {
  it('reaches the max flow in both directions and breaks no rule', () => {
    fc.assert(
      fc.property(problemArb, fc.constantFrom('forward' as const, 'backward' as const), (p, direction) => {
        const result = assignSlots(p, direction);
        expect(result.total).toBe(maxFlowOf(p));
        const perDay = new Map<number, number>();
        const perJob = new Array<number>(p.jobs.length).fill(0);
        result.slotJob.forEach((j, t) => {
          if (j < 0) return;
          const job = p.jobs[j];
          expect(job).toBeDefined();
          expect(p.usable[t]).toBe(1);
          expect(t >= (job?.lo ?? 0) && t <= (job?.hi ?? -1)).toBe(true);
          perDay.set(p.slotDay[t] ?? 0, (perDay.get(p.slotDay[t] ?? 0) ?? 0) + 1);
          perJob[j] = (perJob[j] ?? 0) + 1;
        });
        for (const [d, used] of perDay) expect(used).toBeLessThanOrEqual(p.dayCap[d] ?? 0);
        perJob.forEach((count, j) => {
          expect(count).toBe(result.placed[j]);
          expect(count).toBeLessThanOrEqual(p.jobs[j]?.demand ?? 0);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('takes a capped day back from a flexible job for one that can only use that day', () => {
    // Day 0 has 4 slots and a cap of 2. "late" may use any slot of both days; "urgent" only
    // slots 2-3. Plain time-order EDF would spend the cap on "late" before "urgent" arrives.
    const p: AssignmentProblem = {
      slotCount: 6,
      slotDay: Int32Array.from([0, 0, 0, 0, 1, 1]),
      usable: Uint8Array.from([1, 1, 1, 1, 1, 1]),
      dayCap: Int32Array.from([2, 2]),
      jobs: [
        { lo: 0, hi: 5, demand: 2, rank: 0 },
        { lo: 2, hi: 3, demand: 2, rank: 1 },
      ],
    };
    const result = assignSlots(p, 'forward');
    expect(result.total).toBe(4);
    expect([...result.placed]).toEqual([2, 2]);
  });
});
