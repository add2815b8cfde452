import { Temporal } from 'temporal-polyfill';
import { compareText } from './compare-text.ts';
import { estimateEffortMinutes } from './effort-estimate.ts';
import { type Interval, mergeIntervals, padIntervals } from './intervals.ts';
import type { Deadline, PlannerInput } from './planner-input.ts';
import {
  buildSlotGrid,
  firstSlotFrom,
  freeMask,
  lastSlotBy,
  localDateOf,
  type SlotGrid,
} from './slot-grid.ts';

/** One deadline in slot terms. */
export interface PlanningJob {
  readonly deadline: Deadline;
  readonly effortMinutes: number;
  readonly effortEstimated: boolean;
  readonly pinnedMinutes: number;
  readonly finishByMs: number;
  /** Eligible slot indices [lo, hi]; empty when lo > hi. */
  readonly lo: number;
  readonly hi: number;
  /** Slots still to plan (the deadline's `requiredMinutes` / slot length). */
  readonly demand: number;
  /** Order of preference when deadlines tie: higher priority, then sooner, then id. */
  readonly rank: number;
}

export interface PinnedSession {
  readonly deadlineId: string;
  readonly startMs: number;
  readonly endMs: number;
  /** Local day of its start; -1 when outside the horizon. */
  readonly dayIndex: number;
}

/** The input reduced to the discrete problem every later step works on. */
export interface PlanningProblem {
  readonly grid: SlotGrid;
  /** 1 for slots free of busy time (± buffer), dropped and pinned sessions. */
  readonly free: Uint8Array;
  /** Slots each local day may still take after its pinned sessions. */
  readonly dayCap: Int32Array;
  readonly capMinutes: number;
  readonly pinnedSlotsByDay: Int32Array;
  readonly jobs: readonly PlanningJob[];
  readonly jobIndexById: ReadonlyMap<string, number>;
  readonly pinned: readonly PinnedSession[];
  /** Pinned and dropped sessions: time the user has decided about by hand. */
  readonly userBlocked: readonly Interval[];
  readonly minSlots: number;
  readonly maxSlots: number;
  readonly nowMs: number;
  readonly horizonEndMs: number;
}

/**
 * Instants arrive validated as ISO strings with an explicit offset, so Date.parse is
 * exact here (no zone rules involved) and much cheaper than Temporal for 10^4 of them.
 */
const ms = (iso: string) => Date.parse(iso);

export function buildPlanningProblem(input: PlannerInput): PlanningProblem {
  const prefs = input.preferences;
  const slotMinutes = prefs.slotMinutes;
  const nowMs = ms(input.now);
  const horizonEndMs = Temporal.Instant.fromEpochMilliseconds(nowMs)
    .toZonedDateTimeISO(prefs.timeZone)
    .add({ days: prefs.horizonDays }).epochMilliseconds;
  const grid = buildSlotGrid(prefs, nowMs, horizonEndMs);

  const pinned = input.pinned
    .map((p) => {
      const startMs = ms(p.start);
      const dayIndex = grid.dayIndexByDate.get(localDateOf(grid, startMs)) ?? -1;
      return { deadlineId: p.deadlineId, startMs, endMs: ms(p.end), dayIndex };
    })
    .sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs || compareText(a.deadlineId, b.deadlineId));
  const pinnedByDeadline = new Map<string, number>();
  const pinnedMinutesByDay = new Float64Array(grid.days.length);
  for (const p of pinned) {
    const minutes = (p.endMs - p.startMs) / 60_000;
    pinnedByDeadline.set(p.deadlineId, (pinnedByDeadline.get(p.deadlineId) ?? 0) + minutes);
    if (p.dayIndex >= 0) pinnedMinutesByDay[p.dayIndex] = (pinnedMinutesByDay[p.dayIndex] ?? 0) + minutes;
  }

  const bufferMs = prefs.bufferMinutes * 60_000;
  const busy = padIntervals(
    input.busy.map((b) => ({ start: ms(b.start), end: ms(b.end) })),
    bufferMs,
  );
  const userBlocked: Interval[] = [...input.dropped, ...input.pinned].map((s) => ({
    start: ms(s.start),
    end: ms(s.end),
  }));
  const free = freeMask(grid, userBlocked.length === 0 ? busy : mergeIntervals([...busy, ...userBlocked]));

  const dayCap = new Int32Array(grid.days.length);
  const pinnedSlotsByDay = new Int32Array(grid.days.length);
  grid.days.forEach((_, d) => {
    const pinnedMinutes = pinnedMinutesByDay[d] ?? 0;
    pinnedSlotsByDay[d] = Math.ceil(pinnedMinutes / slotMinutes);
    dayCap[d] = Math.max(0, Math.floor((prefs.dailyCapMinutes - pinnedMinutes) / slotMinutes));
  });

  const minSlots = prefs.minSessionMinutes / slotMinutes;
  const maxSlots = prefs.maxSessionMinutes / slotMinutes;
  const leadMs = prefs.finishByLeadMinutes * 60_000;
  const deadlines = [...input.deadlines].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const draft = deadlines.map((deadline) => {
    const effortEstimated = deadline.effortMinutes === undefined;
    const effortMinutes = deadline.effortMinutes ?? estimateEffortMinutes(deadline);
    const pinnedMinutes = pinnedByDeadline.get(deadline.id) ?? 0;
    const open = Math.max(0, effortMinutes - deadline.doneMinutes - pinnedMinutes);
    const demand = open === 0 ? 0 : Math.max(minSlots, Math.ceil(open / slotMinutes));
    const finishByMs = ms(deadline.dueAt) - leadMs;
    const earliest = Math.max(
      nowMs,
      deadline.earliestStartAt === undefined ? nowMs : ms(deadline.earliestStartAt),
    );
    return {
      deadline,
      effortMinutes,
      effortEstimated,
      pinnedMinutes,
      finishByMs,
      lo: firstSlotFrom(grid, earliest),
      hi: lastSlotBy(grid, finishByMs),
      demand,
    };
  });
  const byPreference = draft
    .map((_, j) => j)
    .sort((a, b) => {
      const x = draft[a];
      const y = draft[b];
      if (x === undefined || y === undefined) return 0;
      return y.deadline.priority - x.deadline.priority || x.finishByMs - y.finishByMs || a - b;
    });
  const rankOf = new Int32Array(draft.length);
  byPreference.forEach((j, r) => {
    rankOf[j] = r;
  });
  const jobs = draft.map((job, j) => ({ ...job, rank: rankOf[j] ?? j }));
  return {
    grid,
    free,
    dayCap,
    capMinutes: prefs.dailyCapMinutes,
    pinnedSlotsByDay,
    jobs,
    jobIndexById: new Map(jobs.map((job, j) => [job.deadline.id, j])),
    pinned,
    userBlocked: mergeIntervals(userBlocked),
    minSlots,
    maxSlots,
    nowMs,
    horizonEndMs,
  };
}
