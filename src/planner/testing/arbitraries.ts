import fc from 'fast-check';
import { type PlannerInput, PlannerInputSchema } from '../planner-input.ts';

const ZONES = ['UTC', 'America/New_York', 'Asia/Kolkata', 'Europe/Berlin', 'Australia/Lord_Howe'];
// Near DST changes in the US, the EU and Lord Howe (a 30-minute shift), and an ordinary week.
const BASES = [Date.UTC(2026, 2, 6), Date.UTC(2026, 9, 23), Date.UTC(2026, 3, 2), Date.UTC(2026, 10, 23)];
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

const windowsArb = fc.uniqueArray(fc.integer({ min: 0, max: 11 }), { maxLength: 2 }).chain((blocks) =>
  fc.constant(
    // Two-hour blocks from 00:00; unique blocks never overlap.
    [...blocks]
      .sort((a, b) => a - b)
      .map((b) => ({
        start: `${String(b * 2).padStart(2, '0')}:00`,
        end: b === 11 ? '24:00' : `${String(b * 2 + 2).padStart(2, '0')}:00`,
      })),
  ),
);

export interface InstanceShape {
  /** Minimum session of one slot: the bound is then always reachable. */
  readonly unitMinimum: boolean;
}

/** Small random planner inputs (a few days, a few deadlines) small enough for a max-flow oracle. */
export function plannerInputArb(shape: InstanceShape): fc.Arbitrary<PlannerInput> {
  return fc
    .record({
      zone: fc.constantFrom(...ZONES),
      base: fc.constantFrom(...BASES),
      nowOffset: fc.integer({ min: 0, max: 3 * 24 * 60 }),
      slot: fc.constantFrom(15, 30),
      horizonDays: fc.integer({ min: 1, max: 4 }),
      cap: fc.integer({ min: 0, max: 10 }),
      minSlots: shape.unitMinimum ? fc.constant(1) : fc.integer({ min: 1, max: 3 }),
      extraMax: fc.integer({ min: 0, max: 4 }),
      buffer: fc.constantFrom(0, 10, 15),
      lead: fc.constantFrom(0, 60, 720),
      week: fc.array(windowsArb, { minLength: 7, maxLength: 7 }),
      busy: fc.array(
        fc.record({ at: fc.integer({ min: -300, max: 5 * 1440 }), len: fc.integer({ min: 5, max: 300 }) }),
        {
          maxLength: 6,
        },
      ),
      deadlines: fc.array(
        fc.record({
          due: fc.integer({ min: 0, max: 5 * 1440 }),
          effort: fc.integer({ min: 0, max: 360 }),
          done: fc.constantFrom(0, 0, 20, 60),
          priority: fc.integer({ min: 1, max: 5 }),
          earliest: fc.option(fc.integer({ min: -600, max: 3 * 1440 }), { nil: undefined }),
        }),
        { minLength: 1, maxLength: 5 },
      ),
      pins: fc.array(
        fc.record({
          job: fc.nat(4),
          at: fc.integer({ min: 0, max: 4 * 1440 }),
          len: fc.integer({ min: 1, max: 6 }),
        }),
        {
          maxLength: 2,
        },
      ),
      drops: fc.array(
        fc.record({
          job: fc.nat(4),
          at: fc.integer({ min: 0, max: 4 * 1440 }),
          len: fc.integer({ min: 1, max: 6 }),
        }),
        {
          maxLength: 2,
        },
      ),
    })
    .map((r) => {
      const now = r.base + r.nowOffset * MIN;
      const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
      const ids = r.deadlines.map((_, j) => `d${j}`);
      const session = (s: { job: number; at: number; len: number }) => ({
        deadlineId: ids[s.job % ids.length] ?? 'd0',
        start: iso(now + s.at * MIN),
        end: iso(now + s.at * MIN + s.len * r.slot * MIN),
      });
      return PlannerInputSchema.parse({
        now: iso(now),
        preferences: {
          timeZone: r.zone,
          studyWindows: Object.fromEntries(days.map((d, k) => [d, r.week[k] ?? []])),
          dailyCapMinutes: r.cap * r.slot,
          minSessionMinutes: r.minSlots * r.slot,
          maxSessionMinutes: (r.minSlots + r.extraMax) * r.slot,
          bufferMinutes: r.buffer,
          finishByLeadMinutes: r.lead,
          horizonDays: r.horizonDays,
          slotMinutes: r.slot,
        },
        deadlines: r.deadlines.map((d, j) => ({
          id: ids[j],
          course: 'C',
          dueAt: iso(now + d.due * MIN),
          effortMinutes: d.effort,
          doneMinutes: d.done,
          priority: d.priority,
          earliestStartAt: d.earliest === undefined ? undefined : iso(now + d.earliest * MIN),
        })),
        busy: r.busy.map((b) => ({ start: iso(now + b.at * MIN), end: iso(now + (b.at + b.len) * MIN) })),
        pinned: r.pins.map(session),
        dropped: r.drops.map(session),
      });
    });
}
