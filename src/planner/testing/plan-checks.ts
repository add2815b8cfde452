import { Temporal } from 'temporal-polyfill';
import { estimateEffortMinutes } from '../effort-estimate.ts';
import type { PlanResult } from '../plan-result.ts';
import type { PlannerInput } from '../planner-input.ts';
import { minutesOfDay, WEEKDAYS } from '../preferences.ts';
import { localDate } from './reference-model.ts';

const at = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;

/** Local minutes since midnight of an instant, and its local date and weekday. */
function local(ms: number, tz: string) {
  const z = Temporal.Instant.fromEpochMilliseconds(ms).toZonedDateTimeISO(tz);
  return { date: z.toPlainDate(), weekday: WEEKDAYS[z.dayOfWeek - 1] ?? 'mon' };
}

/** Every hard rule of the issue, checked from the input alone; returns what is broken. */
export function hardConstraintViolations(input: PlannerInput, result: PlanResult): string[] {
  const p = input.preferences;
  const tz = p.timeZone;
  const out: string[] = [];
  const now = at(input.now);
  const horizonEnd = Temporal.Instant.from(input.now)
    .toZonedDateTimeISO(tz)
    .add({ days: p.horizonDays }).epochMilliseconds;
  const buffer = p.bufferMinutes * 60_000;
  const fresh = result.sessions.filter((s) => !s.pinned);
  const byId = new Map(input.deadlines.map((d) => [d.id, d]));

  for (const pin of input.pinned) {
    const kept = result.sessions.some(
      (s) =>
        s.pinned &&
        s.deadlineId === pin.deadlineId &&
        at(s.start) === at(pin.start) &&
        at(s.end) === at(pin.end),
    );
    if (!kept) out.push(`pinned ${pin.deadlineId}@${pin.start} missing`);
  }
  if (result.sessions.filter((s) => s.pinned).length !== input.pinned.length)
    out.push('extra pinned sessions');

  const spans = fresh.map((s) => ({ s, start: at(s.start), end: at(s.end) }));
  for (const { s, start, end } of spans) {
    const tag = `${s.deadlineId}@${s.start}`;
    const d = byId.get(s.deadlineId);
    if (d === undefined) {
      out.push(`${tag}: unknown deadline`);
      continue;
    }
    const minutes = (end - start) / 60_000;
    if (minutes < p.minSessionMinutes || minutes > p.maxSessionMinutes) out.push(`${tag}: length ${minutes}`);
    if (minutes % p.slotMinutes !== 0) out.push(`${tag}: off the slot grid`);
    if (start < now || end > horizonEnd) out.push(`${tag}: outside the horizon`);
    if (d.earliestStartAt !== undefined && start < at(d.earliestStartAt))
      out.push(`${tag}: before earliest start`);
    if (end > at(d.dueAt) - p.finishByLeadMinutes * 60_000) out.push(`${tag}: after finish-by`);
    for (const b of input.busy) {
      if (start < at(b.end) + buffer && at(b.start) - buffer < end)
        out.push(`${tag}: overlaps busy ${b.start}`);
    }
    for (const u of [...input.pinned, ...input.dropped]) {
      if (start < at(u.end) && at(u.start) < end) out.push(`${tag}: overlaps pinned/dropped ${u.start}`);
    }
    // Every minute inside a study window of the local date it starts on (windows that
    // touch join: 16:00-18:00 and 18:00-20:00 hold a 17:30-18:30 session).
    const l = local(start, tz);
    const edge = (minute: number) =>
      minute === 1440
        ? l.date.add({ days: 1 }).toZonedDateTime(tz).epochMilliseconds
        : l.date.toZonedDateTime({
            timeZone: tz,
            plainTime: new Temporal.PlainTime(Math.floor(minute / 60), minute % 60),
          }).epochMilliseconds;
    const windows = p.studyWindows[l.weekday].map((w) => ({
      start: edge(minutesOfDay(w.start)),
      end: edge(minutesOfDay(w.end)),
    }));
    let cursor = start;
    for (let guard = 0; cursor < end && guard <= windows.length; guard += 1) {
      const w = windows.find((x) => x.start <= cursor && cursor < x.end);
      if (w === undefined) break;
      cursor = w.end;
    }
    const inWindow = cursor >= end;
    if (!inWindow) out.push(`${tag}: outside study windows`);
  }
  const all = result.sessions.map((s) => ({ s, start: at(s.start), end: at(s.end) }));
  for (let a = 0; a < all.length; a += 1) {
    for (let b = a + 1; b < all.length; b += 1) {
      const x = all[a];
      const y = all[b];
      if (x === undefined || y === undefined || (x.s.pinned && y.s.pinned)) continue;
      if (x.start < y.end && y.start < x.end) out.push(`sessions overlap: ${x.s.start} ${y.s.start}`);
    }
  }

  const newByDate = new Map<string, number>();
  const pinnedByDate = new Map<string, number>();
  for (const { s, start, end } of all) {
    const m = s.pinned ? pinnedByDate : newByDate;
    const date = localDate(start, tz);
    m.set(date, (m.get(date) ?? 0) + (end - start) / 60_000);
  }
  for (const [date, minutes] of newByDate) {
    const room = Math.max(0, p.dailyCapMinutes - (pinnedByDate.get(date) ?? 0));
    if (minutes > room) out.push(`${date}: ${minutes} min planned, cap leaves ${room}`);
  }

  // Honest accounting: every deadline appears once, and planned + shortfall = required.
  if (result.deadlines.length !== input.deadlines.length) out.push('a deadline is missing from the result');
  for (const plan of result.deadlines) {
    const d = byId.get(plan.deadlineId);
    if (d === undefined) continue;
    const sessionMinutes = spans
      .filter((x) => x.s.deadlineId === d.id)
      .reduce((sum, x) => sum + (x.end - x.start) / 60_000, 0);
    if (sessionMinutes !== plan.plannedMinutes)
      out.push(`${d.id}: sessions ${sessionMinutes} != planned ${plan.plannedMinutes}`);
    const short = plan.shortfall?.minutes ?? 0;
    if (plan.plannedMinutes + short !== plan.requiredMinutes)
      out.push(`${d.id}: planned + shortfall != required`);
    if ((plan.status === 'shortfall') !== short > 0)
      out.push(`${d.id}: status ${plan.status} with shortfall ${short}`);
    const effort = d.effortMinutes ?? estimateEffortMinutes(d);
    const open = Math.max(0, effort - d.doneMinutes - plan.pinnedMinutes);
    if (plan.requiredMinutes < open) out.push(`${d.id}: required ${plan.requiredMinutes} < open ${open}`);
  }
  return out;
}
