import { afterEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { createMemoryBudget, STANDARD_QUOTAS } from '../../src/google/request-budget.ts';
import { budgetGate } from '../../src/google/request-gate.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { type AppliedChanges, applyPlan } from '../../src/sync/apply-plan.ts';
import { desiredEventFor } from '../../src/sync/desired-events.ts';
import { type EventMapping, planSync } from '../../src/sync/diff.ts';
import type { SourceItem } from '../../src/sync/source-item.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { simulatedClock } from '../support/simulated-clock.ts';

// Google's clock and the budget's are one simulated clock: minutes of quota pass in no time.
const START = Date.UTC(2026, 10, 1, 23, 59, 40, 500);
const USER = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
let clock = simulatedClock(START);
let emulator: GoogleEmulator;

afterEach(() => emulator.close());

function item(n: number): SourceItem {
  return {
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
  };
}

/** A first sync of `count` items through a budget-paced client, at Google's standard quotas. */
async function firstSync(count: number, options: { batchesInFlight: number }) {
  const token = await emulatorAccessToken(emulator, [SCOPES.appCreated]);
  const budget = createMemoryBudget(STANDARD_QUOTAS);
  const { sleep } = clock;
  const api = createGoogleCalendarClient({
    rootUrl: `${emulator.url}/`,
    accessToken: async () => token,
    fetch: clock.fetch,
    gate: budgetGate(budget, USER, { now: clock.now, sleep, maxWaitMs: Number.POSITIVE_INFINITY }),
  });
  const { id: calendarId } = await api.insertCalendar({ summary: 'CanvasCal', timeZone: 'UTC' });
  const desired = Array.from({ length: count }, (_, n) =>
    desiredEventFor(item(n), { userId: USER, canvasHost: 'canvas.example.edu', timeZone: 'UTC' }),
  );
  const committed: EventMapping[] = [];
  emulator.control.resetCounts();
  const started = clock.now();
  const outcome = await applyPlan(api, calendarId, planSync(desired, [], { deleteMissing: true }), {
    commit: async (changes: AppliedChanges) => void committed.push(...changes.upserts),
    sleep,
    backoffMs: (attempt) => 1000 * 2 ** (attempt - 1),
    concurrency: options.batchesInFlight,
    rateLimitRounds: Number.POSITIVE_INFINITY,
  });
  const counts = emulator.control.requestCounts();
  return {
    outcome,
    committed,
    minutes: (clock.now() - started) / 60_000,
    inserted: counts.byMethod['calendar.events.insert'] ?? 0,
    refused:
      (counts.byOutcome['calendar.events.insert 403'] ?? 0) +
      (counts.byOutcome['calendar.events.insert 429'] ?? 0),
    events: emulator.control.state.events.get(calendarId)?.size,
  };
}

describe('a first sync of 2,000 items at Google’s standard quota', () => {
  it('ends complete in one run, each part sent once, in about the time the quota allows', async () => {
    clock = simulatedClock(START);
    emulator = await startGoogleEmulator({ now: clock.now, seed: false });
    emulator.control.addAccount('student@example.edu', 'UTC');
    const sync = await firstSync(2_000, { batchesInFlight: 3 });
    expect(sync.outcome.counts).toMatchObject({ created: 2_000, failed: 0 });
    expect(sync.committed).toHaveLength(2_000);
    expect(sync.events).toBe(2_000);
    expect(sync.inserted).toBe(2_000);
    expect(sync.refused).toBe(0);
    // 600 a minute, the calendar insert included: the fourth minute finishes it.
    expect(sync.minutes).toBeGreaterThan(3);
    expect(sync.minutes).toBeLessThan(4);
  });

  it('sends again only the parts Google refused, after its window, and still ends complete', async () => {
    clock = simulatedClock(START);
    emulator = await startGoogleEmulator({ now: clock.now, seed: false });
    emulator.control.addAccount('student@example.edu', 'UTC');
    // Google refuses some parts for reasons of its own (another app of the project, its operations).
    emulator.control.failNext('calendar.events.insert', 403, 7);
    emulator.control.failNext('calendar.events.insert', 429, 3);
    const sync = await firstSync(2_000, { batchesInFlight: 3 });
    expect(sync.outcome.counts).toMatchObject({ created: 2_000, failed: 0 });
    expect(sync.refused).toBe(10);
    expect(sync.inserted).toBe(2_010);
  });
});
