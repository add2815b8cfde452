import { NumberHeap } from './number-heap.ts';

/**
 * The discretised core of the planner: unit slots on a time line, grouped into local
 * days (contiguous runs of slot indices) with a cap per day, and jobs that each want
 * `demand` slots inside their index window [lo, hi].
 */
export interface AssignmentProblem {
  readonly slotCount: number;
  /** Day index of each slot, non-decreasing. */
  readonly slotDay: Int32Array;
  /** 1 when the slot may be given to a job. */
  readonly usable: Uint8Array;
  /** Slots each day may still hand out. */
  readonly dayCap: Int32Array;
  readonly jobs: readonly AssignmentJob[];
}

export interface AssignmentJob {
  readonly lo: number;
  readonly hi: number;
  readonly demand: number;
  /** Tie-break between jobs with the same deadline: smaller wins (higher priority). */
  readonly rank: number;
}

export interface Assignment {
  /** Job index per slot, -1 when unassigned. */
  readonly slotJob: Int32Array;
  /** Slots given to each job. */
  readonly placed: Int32Array;
  readonly total: number;
}

/**
 * Earliest-deadline-first over slots, made exact under per-day caps by an exchange:
 * when a day is full and a job with an earlier deadline arrives, it takes the day's
 * unit from the latest-deadline job assigned that day, which goes back to waiting
 * (its window contains every slot the newcomer's does, so it loses no options).
 * The result is a maximum assignment: its total equals the max flow of
 * source → job (demand) → slot (1) → day (cap) → sink; the tests check this against
 * an independent max-flow.
 *
 * `backward` runs the same rule on the mirrored time line (latest release first,
 * from the end), which packs work as late as possible: the planner uses it to keep
 * the other jobs out of the way while it places one job where it is best studied.
 * Both directions reach the same total.
 */
export function assignSlots(problem: AssignmentProblem, direction: 'forward' | 'backward'): Assignment {
  const n = problem.slotCount;
  const jobs = problem.jobs;
  const forward = direction === 'forward';
  const slotJob = new Int32Array(n).fill(-1);
  const remaining = new Int32Array(jobs.length);
  const release = new Int32Array(jobs.length);
  const key = new Float64Array(jobs.length);
  const rankSpan = jobs.length + 1;
  const order: number[] = [];
  jobs.forEach((job, j) => {
    remaining[j] = Math.max(0, job.demand);
    if (job.demand <= 0 || job.lo > job.hi || job.hi < 0 || job.lo >= n) return;
    release[j] = forward ? job.lo : n - 1 - job.hi;
    const due = forward ? job.hi : n - 1 - job.lo;
    key[j] = due * rankSpan + job.rank;
    order.push(j);
  });
  order.sort((a, b) => (release[a] ?? 0) - (release[b] ?? 0) || a - b);

  const capLeft = Int32Array.from(problem.dayCap);
  const pending = new NumberHeap();
  // Today's assignments with the latest deadline on top (negated keys in a min-heap).
  const today = new NumberHeap();
  let currentDay = -1;
  let next = 0;
  let total = 0;

  for (let v = 0; v < n; v += 1) {
    const t = forward ? v : n - 1 - v;
    const day = problem.slotDay[t] ?? 0;
    if (day !== currentDay) {
      currentDay = day;
      today.clear();
    }
    while (next < order.length && (release[order[next] ?? 0] ?? 0) <= v) {
      const j = order[next] ?? 0;
      pending.push(key[j] ?? 0, j);
      next += 1;
    }
    if (problem.usable[t] !== 1) continue;
    // Jobs whose window closed before v can take nothing more; what they still need is short.
    while (pending.size > 0 && Math.floor(pending.topKey() / rankSpan) < v) pending.pop();
    if (pending.size === 0) continue;
    const j = pending.topValue();
    const jKey = key[j] ?? 0;
    if ((capLeft[day] ?? 0) > 0) {
      capLeft[day] = (capLeft[day] ?? 0) - 1;
    } else if (today.size > 0 && -today.topKey() > jKey) {
      const displacedSlot = today.pop();
      const k = slotJob[displacedSlot] ?? -1;
      slotJob[displacedSlot] = -1;
      remaining[k] = (remaining[k] ?? 0) + 1;
      total -= 1;
      if (remaining[k] === 1) pending.push(key[k] ?? 0, k);
    } else {
      continue;
    }
    slotJob[t] = j;
    today.push(-jKey, t);
    total += 1;
    remaining[j] = (remaining[j] ?? 0) - 1;
    if (remaining[j] === 0) pending.pop();
  }

  const placed = new Int32Array(jobs.length);
  jobs.forEach((job, j) => {
    placed[j] = Math.max(0, job.demand) - (remaining[j] ?? 0);
  });
  return { slotJob, placed, total };
}
