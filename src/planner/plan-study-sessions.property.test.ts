import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { overlaps } from './intervals.ts';
import { planStudySessions } from './plan-study-sessions.ts';
import { type PlannerInput, PlannerInputSchema } from './planner-input.ts';
import { plannerInputArb } from './testing/arbitraries.ts';
import { hardConstraintViolations } from './testing/plan-checks.ts';
import { referenceBoundSlots } from './testing/reference-model.ts';

const RUNS = { numRuns: 150 };
const at = (iso: string) => Date.parse(iso);
const anyInput = fc.boolean().chain((unitMinimum) => plannerInputArb({ unitMinimum }));

/** The same input with every array reversed: order must not matter. */
function reordered(input: PlannerInput): PlannerInput {
  return {
    ...input,
    deadlines: [...input.deadlines].reverse(),
    busy: [...input.busy].reverse(),
    pinned: [...input.pinned].reverse(),
    dropped: [...input.dropped].reverse(),
  };
}

describe('planStudySessions on random instances', () => {
  it('keeps every hard constraint and accounts for every required minute', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        expect(hardConstraintViolations(input, planStudySessions(input))).toEqual([]);
      }),
      RUNS,
    );
  });

  it('is deterministic and independent of input order', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const first = planStudySessions(input);
        expect(planStudySessions(structuredClone(input))).toEqual(first);
        expect(planStudySessions(reordered(input))).toEqual(first);
      }),
      { numRuns: 100 },
    );
  });

  it('places exactly the demand bound (an independent max flow) when sessions may be one slot', () => {
    fc.assert(
      fc.property(plannerInputArb({ unitMinimum: true }), (input) => {
        const result = planStudySessions(input);
        const slot = input.preferences.slotMinutes;
        const bound = referenceBoundSlots(input) * slot;
        expect(result.totals.boundMinutes).toBe(bound);
        expect(result.totals.plannedMinutes).toBe(bound);
        const feasible = bound === result.totals.requiredMinutes;
        expect(result.deadlines.every((d) => d.status === 'planned')).toBe(feasible);
      }),
      RUNS,
    );
  });

  it('never places more than the bound with longer minimum sessions, and reports the rest', () => {
    fc.assert(
      fc.property(plannerInputArb({ unitMinimum: false }), (input) => {
        const result = planStudySessions(input);
        const bound = referenceBoundSlots(input) * input.preferences.slotMinutes;
        expect(result.totals.boundMinutes).toBe(bound);
        expect(result.totals.plannedMinutes).toBeLessThanOrEqual(bound);
        const short = result.deadlines.reduce((sum, d) => sum + (d.shortfall?.minutes ?? 0), 0);
        expect(result.totals.plannedMinutes + short).toBe(result.totals.requiredMinutes);
      }),
      RUNS,
    );
  });

  it('re-planning an unchanged input keeps every session', () => {
    fc.assert(
      fc.property(anyInput, (input) => {
        const first = planStudySessions(input);
        const again = planStudySessions(input, { previous: first.sessions });
        expect(again.sessions).toEqual(first.sessions);
        expect(again.changes.removed).toEqual([]);
        expect(again.changes.added).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('after one new busy interval moves only the sessions it overlaps, unless the bound needs more', () => {
    const arb = fc.tuple(anyInput, fc.integer({ min: 0, max: 4 * 1440 }), fc.integer({ min: 15, max: 180 }));
    fc.assert(
      fc.property(arb, ([input, startMinute, minutes]) => {
        const first = planStudySessions(input);
        const start = at(input.now) + startMinute * 60_000;
        const busy = {
          start: new Date(start).toISOString(),
          end: new Date(start + minutes * 60_000).toISOString(),
        };
        const changed = PlannerInputSchema.parse({ ...input, busy: [...input.busy, busy] });
        const second = planStudySessions(changed, { previous: first.sessions });
        expect(hardConstraintViolations(changed, second)).toEqual([]);
        const buffer = input.preferences.bufferMinutes * 60_000;
        const blocked = { start: start - buffer, end: start + minutes * 60_000 + buffer };
        const kept = new Set(second.sessions.map((s) => `${s.deadlineId} ${s.start} ${s.end}`));
        for (const s of first.sessions) {
          if (s.pinned || overlaps({ start: at(s.start), end: at(s.end) }, blocked)) continue;
          if (kept.has(`${s.deadlineId} ${s.start} ${s.end}`)) continue;
          // Only a session given back to reach the bound may move without being hit.
          const why = second.changes.removed.find(
            (r) => r.session.start === s.start && r.session.deadlineId === s.deadlineId,
          );
          expect(why?.reason).toBe('rebalanced');
        }
        for (const r of second.changes.removed) {
          if (r.reason === 'conflict')
            expect(overlaps({ start: at(r.session.start), end: at(r.session.end) }, blocked)).toBe(true);
        }
        // Feasible after the change: every deadline must still be fully planned.
        const feasible = second.totals.boundMinutes === second.totals.requiredMinutes;
        if (feasible && input.preferences.minSessionMinutes === input.preferences.slotMinutes) {
          expect(second.totals.plannedMinutes).toBe(second.totals.boundMinutes);
        }
      }),
      RUNS,
    );
  });

  it('after a deadline moves later keeps every session when nothing was short, else only rebalances', () => {
    fc.assert(
      fc.property(anyInput, fc.nat(4), fc.integer({ min: 1, max: 3 * 1440 }), (input, which, minutes) => {
        const first = planStudySessions(input);
        const j = which % input.deadlines.length;
        const deadlines = input.deadlines.map((d, k) =>
          k === j ? { ...d, dueAt: new Date(at(d.dueAt) + minutes * 60_000).toISOString() } : d,
        );
        const changed = { ...input, deadlines };
        const second = planStudySessions(changed, { previous: first.sessions });
        expect(hardConstraintViolations(changed, second)).toEqual([]);
        const now = new Set(second.sessions.map((s) => `${s.deadlineId} ${s.start} ${s.end}`));
        // A later due time only relaxes rules, so no session breaks; but if the moved
        // deadline was short, the time it gains may have to be freed from others.
        const wasFeasible = first.deadlines.every((d) => d.status === 'planned');
        for (const s of first.sessions) {
          if (wasFeasible) expect(now.has(`${s.deadlineId} ${s.start} ${s.end}`)).toBe(true);
        }
        for (const r of second.changes.removed) expect(r.reason).toBe('rebalanced');
      }),
      { numRuns: 100 },
    );
  });

  it('after a deadline moves earlier moves only its sessions that now end too late', () => {
    fc.assert(
      fc.property(anyInput, fc.nat(4), fc.integer({ min: 1, max: 2 * 1440 }), (input, which, minutes) => {
        const first = planStudySessions(input);
        const j = which % input.deadlines.length;
        const moved = input.deadlines[j];
        if (moved === undefined) return;
        const dueAt = new Date(at(moved.dueAt) - minutes * 60_000).toISOString();
        const changed = {
          ...input,
          deadlines: input.deadlines.map((d, k) => (k === j ? { ...d, dueAt } : d)),
        };
        const second = planStudySessions(changed, { previous: first.sessions });
        expect(hardConstraintViolations(changed, second)).toEqual([]);
        const finishBy = at(dueAt) - input.preferences.finishByLeadMinutes * 60_000;
        for (const r of second.changes.removed) {
          if (r.reason === 'rebalanced') continue;
          // Broken by the move: it is this deadline's and now ends after its finish-by time,
          // or it is no longer needed because its deadline needs less than before.
          expect(r.session.deadlineId).toBe(moved.id);
          if (r.reason === 'conflict') expect(at(r.session.end)).toBeGreaterThan(finishBy);
        }
      }),
      { numRuns: 100 },
    );
  });
});
