// Planner benchmark: 200 deadlines over 16 weeks with 5,000 busy intervals. Measures a
// full plan and a re-plan after one new busy event, beside two naive baselines: greedy
// latest-fit (each deadline packed backward from its finish-by time) and re-planning
// from scratch. Not a test: it measures and prints, it asserts nothing.
import { pathToFileURL } from 'node:url';
import { seededRandom } from '../emulators/shared/seeded-random.ts';
import {
  type PlannedSession,
  type PlannerInput,
  PlannerInputSchema,
  planStudySessions,
} from '../src/planner/index.ts';
import { buildPlanningProblem } from '../src/planner/planning-problem.ts';
import { continues } from '../src/planner/slot-grid.ts';

const MIN = 60_000;
const DAY = 1440 * MIN;

const iso = (ms: number) => new Date(ms).toISOString();

/** `maxEffortQuarters`: effort per deadline is 30 min up to this many quarter hours. */
export function benchInstance(maxEffortQuarters = 8): PlannerInput {
  const rand = seededRandom(20261124);
  const pick = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const now = Date.parse('2026-08-24T04:00:00Z'); // a Monday, midnight in New York
  const busy = Array.from({ length: 5000 }, () => {
    const day = pick(0, 16 * 7 - 1);
    // Most busy time is classes and work in the daytime; one in twenty-five is an evening event.
    const evening = rand() < 0.04;
    const localHour = evening ? pick(16, 21) : pick(7, 13);
    const start = now + day * DAY + localHour * 60 * MIN + pick(0, 3) * 15 * MIN;
    return { start: iso(start), end: iso(start + pick(2, 8) * 15 * MIN) };
  });
  const deadlines = Array.from({ length: 200 }, (_, j) => ({
    id: `d${String(j).padStart(3, '0')}`,
    course: `C${j % 6}`,
    dueAt: iso(now + pick(2, 16 * 7) * DAY + pick(0, 23) * 60 * MIN + 59 * MIN),
    effortMinutes: pick(2, maxEffortQuarters) * 15,
    priority: pick(1, 5),
  }));
  return PlannerInputSchema.parse({
    now: iso(now),
    preferences: { timeZone: 'America/New_York', horizonDays: 16 * 7 },
    deadlines,
    busy,
  });
}

/**
 * Naive baseline: deadlines in due order, each packed into the latest free slots before
 * its finish-by time, max-length sessions, daily cap held. Fast, but it crams every
 * deadline into its last evenings and does not know the demand bound.
 */
export function latestFit(input: PlannerInput): {
  sessions: number;
  plannedMinutes: number;
  lastDayMinutes: number;
} {
  const problem = buildPlanningProblem(input);
  const { grid } = problem;
  const used = Uint8Array.from(problem.free, (f) => 1 - f);
  const capLeft = Int32Array.from(problem.dayCap);
  const order = problem.jobs
    .map((_, j) => j)
    .sort((a, b) => (problem.jobs[a]?.finishByMs ?? 0) - (problem.jobs[b]?.finishByMs ?? 0));
  let sessions = 0;
  let planned = 0;
  let lastDay = 0;
  for (const j of order) {
    const job = problem.jobs[j];
    if (job === undefined) continue;
    let need = job.demand;
    for (let t = job.hi; t >= job.lo && need > 0; ) {
      // The free run ending at t, as long as a session, the need and the day's cap allow.
      const d = grid.day[t] ?? 0;
      const limit = Math.min(problem.maxSlots, need, capLeft[d] ?? 0);
      let length = 0;
      while (
        length < limit &&
        t - length >= job.lo &&
        used[t - length] === 0 &&
        (length === 0 || continues(grid, t - length))
      ) {
        length += 1;
      }
      if (length < problem.minSlots) {
        t -= Math.max(1, length);
        continue;
      }
      for (let s = t - length + 1; s <= t; s += 1) used[s] = 1;
      capLeft[d] = (capLeft[d] ?? 0) - length;
      need -= length;
      planned += (length * grid.slotMs) / MIN;
      if ((grid.start[t - length + 1] ?? 0) >= job.finishByMs - DAY) lastDay += (length * grid.slotMs) / MIN;
      sessions += 1;
      t -= length;
    }
  }
  return { sessions, plannedMinutes: planned, lastDayMinutes: lastDay };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function time<T>(runs: number, f: () => T): { ms: number; best: number; value: T } {
  let value = f();
  for (let k = 0; k < 5; k += 1) value = f(); // warm-up
  const samples: number[] = [];
  for (let k = 0; k < runs; k += 1) {
    const t0 = performance.now();
    value = f();
    samples.push(performance.now() - t0);
  }
  return { ms: median(samples), best: Math.min(...samples), value };
}

const key = (s: PlannedSession) => `${s.deadlineId} ${s.start} ${s.end}`;

/**
 * Two loads over the same calendar: typical (30 min to 2 h per deadline, about 15 h of
 * study a week) and heavy (up to 3 h, about 23 h a week, overloaded in the first days).
 */
export async function runPlannerBench(): Promise<Record<string, unknown>> {
  return {
    typical: await benchScenario('typical', benchInstance(8)),
    heavy: await benchScenario('heavy', benchInstance(12)),
  };
}

async function benchScenario(name: string, input: PlannerInput): Promise<Record<string, unknown>> {
  const runs = 31;
  const plan = time(runs, () => planStudySessions(input));
  const base = plan.value;
  // One new busy event on top of the busiest planned session's evening.
  const hit = base.sessions.find((s) => !s.pinned) ?? base.sessions[0];
  const hitStart = hit === undefined ? Date.parse(input.now) : Date.parse(hit.start);
  const changed = PlannerInputSchema.parse({
    ...input,
    busy: [...input.busy, { start: iso(hitStart), end: iso(hitStart + 60 * MIN) }],
  });
  const replan = time(runs, () => planStudySessions(changed, { previous: base.sessions }));
  const scratch = time(runs, () => planStudySessions(changed));
  const naive = time(runs, () => latestFit(input));

  const before = new Set(base.sessions.map(key));
  const movedStable = base.sessions.length - replan.value.sessions.filter((s) => before.has(key(s))).length;
  const movedScratch = base.sessions.length - scratch.value.sessions.filter((s) => before.has(key(s))).length;
  const distinctDays = (sessions: readonly PlannedSession[]) => {
    const perDeadline = new Map<string, Set<string>>();
    for (const s of sessions)
      perDeadline.set(s.deadlineId, (perDeadline.get(s.deadlineId) ?? new Set()).add(s.start.slice(0, 10)));
    const sizes = [...perDeadline.values()].map((d) => d.size);
    return sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length);
  };

  // Cramming: the share of planned minutes that start in the 24 h before the finish-by time.
  const finishBy = new Map(base.deadlines.map((d) => [d.deadlineId, Date.parse(d.finishBy)]));
  const lastDayMinutes = base.sessions
    .filter((s) => !s.pinned && Date.parse(s.start) >= (finishBy.get(s.deadlineId) ?? 0) - DAY)
    .reduce((sum, s) => sum + (Date.parse(s.end) - Date.parse(s.start)) / MIN, 0);
  const pct = (part: number, whole: number) => `${((100 * part) / Math.max(1, whole)).toFixed(0)} %`;
  const result = {
    instance: {
      deadlines: input.deadlines.length,
      busyIntervals: input.busy.length,
      horizonDays: input.preferences.horizonDays,
    },
    requiredMinutes: base.totals.requiredMinutes,
    boundMinutes: base.totals.boundMinutes,
    planMs: plan.ms,
    planBestMs: plan.best,
    plannedMinutes: base.totals.plannedMinutes,
    sessions: base.sessions.length,
    meanDistinctDaysPerDeadline: distinctDays(base.sessions),
    replanMs: replan.ms,
    replanBestMs: replan.best,
    replanMovedSessions: movedStable,
    replanFromScratchMs: scratch.ms,
    replanFromScratchMovedSessions: movedScratch,
    latestFitMs: naive.ms,
    latestFitPlannedMinutes: naive.value.plannedMinutes,
    latestFitSessions: naive.value.sessions,
    lastDayShare: lastDayMinutes / Math.max(1, base.totals.plannedMinutes),
    latestFitLastDayShare: naive.value.lastDayMinutes / Math.max(1, naive.value.plannedMinutes),
  };
  const row = (label: string, t: { ms: number; best: number }, minutes: number, moved: number | string) =>
    `| ${label.padEnd(34)} | ${t.ms.toFixed(1).padStart(10)} | ${t.best.toFixed(1).padStart(8)} | ${String(minutes).padStart(9)} | ${String(moved).padStart(6)} |`;
  console.log(
    `\n### ${name}: 200 deadlines, 5,000 busy intervals, 16 weeks (America/New_York); ${runs} runs\n` +
      `required ${result.requiredMinutes} min, demand bound ${result.boundMinutes} min\n\n` +
      '| run                                | median ms |  best ms |   planned |  moved |\n' +
      '|------------------------------------|----------:|---------:|----------:|-------:|\n' +
      `${row('plan (this planner)', plan, base.totals.plannedMinutes, '-')}\n` +
      `${row('baseline: greedy latest-fit', naive, naive.value.plannedMinutes, '-')}\n` +
      `${row('re-plan after 1 busy event', replan, replan.value.totals.plannedMinutes, movedStable)}\n` +
      `${row('baseline: re-plan from scratch', scratch, scratch.value.totals.plannedMinutes, movedScratch)}\n\n` +
      `sessions ${result.sessions} (latest-fit ${result.latestFitSessions}); ` +
      `mean distinct days per deadline ${result.meanDistinctDaysPerDeadline.toFixed(2)}\n` +
      `planned minutes in the last 24 h before finish-by: ${pct(lastDayMinutes, base.totals.plannedMinutes)} ` +
      `(latest-fit ${pct(naive.value.lastDayMinutes, naive.value.plannedMinutes)})\n` +
      'targets: plan < 50 ms, re-plan < 10 ms',
  );
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runPlannerBench();
