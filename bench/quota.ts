// Google's quota and concurrent batches. Against the Google emulator at Google's standard
// quotas (600 requests a minute per user, 10,000 per project; each batch part counts).
//
// 1. A first sync of 2,000 items: the budget-paced write path beside today's (the old retry
//    loop: 6 rounds, 1–16 s backoff, every failed part re-sent). A real run would take minutes,
//    so the emulator's clock and the budget's are one simulated clock that sleeps move on:
//    "minutes" are simulated minutes; parts sent and refused are the emulator's own counts.
// 2. 500 items (under one minute's quota, so pacing never waits) with 1 to 4 batches in flight,
//    at 100 ms emulated latency per batch, in real time. Commits go to memory, not a database.
import { pathToFileURL } from 'node:url';
import { startGoogleEmulator } from '../emulators/google/google-emulator.ts';
import { createGoogleCalendarClient } from '../src/google/google-calendar-client.ts';
import { createMemoryBudget, STANDARD_QUOTAS } from '../src/google/request-budget.ts';
import { budgetGate } from '../src/google/request-gate.ts';
import { SCOPES } from '../src/google/scopes.ts';
import { type ApplyOptions, applyPlan } from '../src/sync/apply-plan.ts';
import { desiredEventFor } from '../src/sync/desired-events.ts';
import { planSync } from '../src/sync/diff.ts';
import type { SourceItem } from '../src/sync/source-item.ts';
import { emulatorAccessToken } from '../test/support/emulator-token.ts';

const USER = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';

function desired(count: number) {
  return Array.from(
    { length: count },
    (_, n): SourceItem => ({
      key: `assignment:${n % 7}:${n}`,
      kind: 'assignment',
      courseId: String(n % 7),
      courseName: `Course ${n % 7}`,
      courseCode: `C${n % 7}`,
      title: `Assignment ${n}`,
      dueAt: new Date(Date.UTC(2026, 11, 1) + n * 3_600_000).toISOString(),
      allDay: false,
      allDayDate: null,
      pointsPossible: 10,
      submitted: false,
      missing: false,
      htmlUrl: `https://canvas.example.edu/courses/${n % 7}/assignments/${n}`,
    }),
  ).map((item) => desiredEventFor(item, { userId: USER, canvasHost: 'canvas.example.edu', timeZone: 'UTC' }));
}

/** One sync of `count` items on a fresh emulator whose clock only sleeps move. */
async function simulatedFirstSync(count: number, paced: boolean) {
  let clock = Date.UTC(2026, 10, 2, 9, 0, 0);
  const emulator = await startGoogleEmulator({ now: () => clock, seed: false });
  try {
    emulator.control.addAccount('student@example.edu', 'UTC');
    const token = await emulatorAccessToken(emulator, [SCOPES.appCreated], 'student@example.edu');
    let inFlight = 0;
    let settled: Array<() => void> = [];
    // A sleep ends at its time, once requests on their way have arrived (they take moments, not minutes).
    const sleep = async (ms: number) => {
      const wakeAt = clock + ms;
      while (inFlight > 0) await new Promise<void>((resolve) => settled.push(resolve));
      clock = Math.max(clock, wakeAt);
    };
    const tracked: typeof fetch = async (input, init) => {
      inFlight += 1;
      try {
        const response = await fetch(input, init);
        return new Response(await response.text(), { status: response.status, headers: response.headers });
      } finally {
        inFlight -= 1;
        const waiting = settled;
        settled = [];
        for (const resolve of waiting) resolve();
      }
    };
    const budget = createMemoryBudget(STANDARD_QUOTAS);
    const api = createGoogleCalendarClient({
      rootUrl: `${emulator.url}/`,
      accessToken: async () => token,
      fetch: tracked,
      ...(paced
        ? { gate: budgetGate(budget, USER, { now: () => clock, sleep, maxWaitMs: Number.POSITIVE_INFINITY }) }
        : {}),
    });
    const { id: calendarId } = await api.insertCalendar({ summary: 'CanvasCal', timeZone: 'UTC' });
    emulator.control.resetCounts();
    const started = clock;
    const options: ApplyOptions = {
      commit: async () => {},
      sleep,
      // Today's worker: 1 s doubling, jitter on the upper half (its middle taken here).
      backoffMs: (attempt) => Math.round(1000 * 2 ** (attempt - 1) * 0.75),
      ...(paced ? { concurrency: 3, rateLimitRounds: Number.POSITIVE_INFINITY } : {}),
    };
    const outcome = await applyPlan(
      api,
      calendarId,
      planSync(desired(count), [], { deleteMissing: true }),
      options,
    );
    const counts = emulator.control.requestCounts();
    const refused = Object.entries(counts.byOutcome)
      .filter(([key]) => /^calendar\.events\.insert (403|429)$/.test(key))
      .reduce((sum, [, n]) => sum + n, 0);
    return {
      path: paced ? 'paced by the budget (3 in flight)' : "today's retry loop (naive)",
      items: count,
      'simulated minutes': Number(((clock - started) / 60_000).toFixed(2)),
      'parts sent': counts.byMethod['calendar.events.insert'] ?? 0,
      'parts refused': refused,
      written: outcome.counts.created,
      'failed (left for a later run)': outcome.counts.failed,
    };
  } finally {
    await emulator.close();
  }
}

async function batchesInFlight(count: number, concurrency: number) {
  const emulator = await startGoogleEmulator({ seed: false });
  try {
    emulator.control.addAccount('student@example.edu', 'UTC');
    const token = await emulatorAccessToken(emulator, [SCOPES.appCreated], 'student@example.edu');
    const api = createGoogleCalendarClient({
      rootUrl: `${emulator.url}/`,
      accessToken: async () => token,
      gate: budgetGate(createMemoryBudget(STANDARD_QUOTAS), USER, {
        now: Date.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      }),
    });
    const { id: calendarId } = await api.insertCalendar({ summary: 'CanvasCal', timeZone: 'UTC' });
    emulator.control.setLatency(100, { method: 'batch' });
    const started = performance.now();
    await applyPlan(api, calendarId, planSync(desired(count), [], { deleteMissing: true }), {
      commit: async () => {},
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      backoffMs: () => 1000,
      concurrency,
    });
    const ms = performance.now() - started;
    return {
      items: count,
      'batches in flight': concurrency,
      ms: Math.round(ms),
      requests: api.requestCount - 1,
    };
  } finally {
    await emulator.close();
  }
}

export async function runQuotaBench(): Promise<Record<string, unknown>[]> {
  const quota = [await simulatedFirstSync(2_000, false), await simulatedFirstSync(2_000, true)];
  console.table(quota);
  const concurrent = [];
  for (const n of [1, 2, 3, 4]) concurrent.push(await batchesInFlight(500, n));
  const one = concurrent[0]?.ms ?? 1;
  console.table(concurrent.map((row) => ({ ...row, speedup: Number((one / row.ms).toFixed(2)) })));
  return [...quota, ...concurrent];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runQuotaBench();
