import { Temporal } from 'temporal-polyfill';
import { estimateEffortMinutes } from '../effort-estimate.ts';
import type { PlannerInput } from '../planner-input.ts';
import { minutesOfDay, WEEKDAYS } from '../preferences.ts';
import { MaxFlow } from './max-flow.ts';

/**
 * A deliberately naive second reading of the planner's rules, for tests only: slots
 * built window by window with Temporal, every overlap checked pairwise, and the bound
 * as a textbook max flow. It shares no code with the solver beyond the effort model
 * and the input types.
 */
export interface ReferenceSlot {
  readonly start: number;
  readonly end: number;
  readonly date: string;
}

const at = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;

/** Every study-window slot of the horizon, with its local date. */
export function referenceSlots(input: PlannerInput): ReferenceSlot[] {
  const p = input.preferences;
  const now = at(input.now);
  const tz = p.timeZone;
  const startZ = Temporal.Instant.from(input.now).toZonedDateTimeISO(tz);
  const end = startZ.add({ days: p.horizonDays }).epochMilliseconds;
  const slot = p.slotMinutes * 60_000;
  const out: ReferenceSlot[] = [];
  for (
    let date = startZ.toPlainDate();
    date.toZonedDateTime(tz).epochMilliseconds < end;
    date = date.add({ days: 1 })
  ) {
    for (const w of p.studyWindows[WEEKDAYS[date.dayOfWeek - 1] ?? 'mon']) {
      const localAt = (minute: number) =>
        minute === 1440
          ? date.add({ days: 1 }).toZonedDateTime(tz).epochMilliseconds
          : Temporal.ZonedDateTime.from({
              timeZone: tz,
              year: date.year,
              month: date.month,
              day: date.day,
              hour: Math.floor(minute / 60),
              minute: minute % 60,
            }).epochMilliseconds;
      const ws = localAt(minutesOfDay(w.start));
      const we = localAt(minutesOfDay(w.end));
      for (let s = ws; s + slot <= we; s += slot) {
        if (s >= now && s + slot <= end && !out.some((o) => o.start < s + slot && s < o.end)) {
          out.push({ start: s, end: s + slot, date: date.toString() });
        }
      }
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export interface ReferenceDeadline {
  readonly id: string;
  readonly requiredSlots: number;
  readonly eligible: (s: ReferenceSlot) => boolean;
}

export function localDate(ms: number, tz: string): string {
  return Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz).toPlainDate().toString();
}

export interface ReferenceModel {
  readonly slots: readonly ReferenceSlot[];
  readonly free: readonly boolean[];
  readonly capSlotsByDate: ReadonlyMap<string, number>;
  readonly deadlines: readonly ReferenceDeadline[];
}

export function referenceModel(input: PlannerInput): ReferenceModel {
  const p = input.preferences;
  const g = p.slotMinutes;
  const buffer = p.bufferMinutes * 60_000;
  const now = at(input.now);
  const slots = referenceSlots(input);
  const blocked = [
    ...input.busy.map((b) => ({ start: at(b.start) - buffer, end: at(b.end) + buffer })),
    ...[...input.pinned, ...input.dropped].map((s) => ({ start: at(s.start), end: at(s.end) })),
  ];
  const free = slots.map((s) => !blocked.some((b) => b.start < s.end && s.start < b.end));
  const pinnedByDate = new Map<string, number>();
  const pinnedByDeadline = new Map<string, number>();
  for (const pin of input.pinned) {
    const minutes = (at(pin.end) - at(pin.start)) / 60_000;
    const date = localDate(at(pin.start), p.timeZone);
    pinnedByDate.set(date, (pinnedByDate.get(date) ?? 0) + minutes);
    pinnedByDeadline.set(pin.deadlineId, (pinnedByDeadline.get(pin.deadlineId) ?? 0) + minutes);
  }
  const capSlotsByDate = new Map<string, number>();
  for (const s of slots) {
    capSlotsByDate.set(
      s.date,
      Math.max(0, Math.floor((p.dailyCapMinutes - (pinnedByDate.get(s.date) ?? 0)) / g)),
    );
  }
  const deadlines = input.deadlines.map((d) => {
    const effort = d.effortMinutes ?? estimateEffortMinutes(d);
    const open = Math.max(0, effort - d.doneMinutes - (pinnedByDeadline.get(d.id) ?? 0));
    const requiredSlots = open === 0 ? 0 : Math.max(p.minSessionMinutes / g, Math.ceil(open / g));
    const from = Math.max(now, d.earliestStartAt === undefined ? now : at(d.earliestStartAt));
    const finishBy = at(d.dueAt) - p.finishByLeadMinutes * 60_000;
    return { id: d.id, requiredSlots, eligible: (s: ReferenceSlot) => s.start >= from && s.end <= finishBy };
  });
  return { slots, free, capSlotsByDate, deadlines };
}

/** The demand bound in slots: max flow source → deadline → free eligible slot → day → sink. */
export function referenceBoundSlots(input: PlannerInput): number {
  const m = referenceModel(input);
  const dates = [...m.capSlotsByDate.keys()];
  const source = 0;
  const sink = 1;
  const deadlineNode = (j: number) => 2 + j;
  const slotNode = (k: number) => 2 + m.deadlines.length + k;
  const dayNode = (d: number) => 2 + m.deadlines.length + m.slots.length + d;
  const flow = new MaxFlow(2 + m.deadlines.length + m.slots.length + dates.length);
  m.deadlines.forEach((d, j) => {
    flow.addEdge(source, deadlineNode(j), d.requiredSlots);
    m.slots.forEach((s, k) => {
      if (m.free[k] && d.eligible(s)) flow.addEdge(deadlineNode(j), slotNode(k), 1);
    });
  });
  m.slots.forEach((s, k) => {
    flow.addEdge(slotNode(k), dayNode(dates.indexOf(s.date)), 1);
  });
  dates.forEach((date, d) => {
    flow.addEdge(dayNode(d), sink, m.capSlotsByDate.get(date) ?? 0);
  });
  return flow.run(source, sink);
}
