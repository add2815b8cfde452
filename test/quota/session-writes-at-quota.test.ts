import { afterEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import type { StoredSession } from '../../src/db/study-plan-repo.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { createMemoryBudget } from '../../src/google/request-budget.ts';
import { budgetGate } from '../../src/google/request-gate.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { desiredSessionEvent } from '../../src/study-plan/session-event.ts';
import { writeSessions } from '../../src/study-plan/session-writer.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { simulatedClock } from '../support/simulated-clock.ts';

// The emulated Google and the budget share one simulated clock, fixed far from any real day.
const START = Date.UTC(2027, 4, 3, 8, 0, 0);
const USER = '0b7d9c1e-2f3a-4b5c-8d6e-7f8091a2b3c4';
const SESSIONS = 130;
let emulator: GoogleEmulator;

afterEach(() => emulator.close());

const session = (n: number) =>
  desiredSessionEvent(
    {
      deadlineId: `assignment:1:${n % 9}`,
      slotKey: `s${n}`,
      start: new Date(START + (n + 24) * 3_600_000).toISOString(),
      end: new Date(START + (n + 24) * 3_600_000 + 45 * 60_000).toISOString(),
    },
    { title: `Essay ${n % 9}`, course: 'ENG 1', dueAt: null, htmlUrl: null },
    { userId: USER, timeZone: 'UTC' },
  );

/** Writes a first plan of SESSIONS sessions through a client paced at `perMinute` (Google's and ours). */
async function writePlan(perMinute: number) {
  const clock = simulatedClock(START);
  emulator = await startGoogleEmulator({ now: clock.now, seed: false, rateLimitPerMinute: perMinute });
  emulator.control.addAccount('student@example.edu', 'UTC');
  const token = await emulatorAccessToken(emulator, [SCOPES.appCreated], 'student@example.edu');
  let batchesOut = 0;
  let mostBatchesOut = 0;
  const api = createGoogleCalendarClient({
    rootUrl: `${emulator.url}/`,
    accessToken: async () => token,
    fetch: async (input, init) => {
      const batch = String(input).includes('/batch');
      if (batch) mostBatchesOut = Math.max(mostBatchesOut, ++batchesOut);
      try {
        return await clock.fetch(input, init);
      } finally {
        if (batch) batchesOut -= 1;
      }
    },
    gate: budgetGate(createMemoryBudget({ perUserPerMinute: perMinute, perProjectPerMinute: 10_000 }), USER, {
      now: clock.now,
      sleep: clock.sleep,
      maxWaitMs: Number.POSITIVE_INFINITY,
    }),
  });
  const { id: calendarId } = await api.insertCalendar({ summary: 'CanvasCal Study', timeZone: 'UTC' });
  emulator.control.resetCounts();
  const started = clock.now();
  const saved: StoredSession[] = [];
  const outcome = await writeSessions(
    api,
    calendarId,
    Array.from({ length: SESSIONS }, (_, n) => session(n)),
    [],
    {
      commit: async (changes) => void saved.push(...changes.upserts),
      sleep: clock.sleep,
      backoffMs: (attempt) => 1000 * 2 ** (attempt - 1),
      concurrency: 3,
      rateLimitRounds: Number.POSITIVE_INFINITY,
    },
  );
  const counts = emulator.control.requestCounts();
  return {
    outcome,
    saved,
    minutes: (clock.now() - started) / 60_000,
    mostBatchesOut,
    inserted: counts.byMethod['calendar.events.insert'],
    accepted: counts.byOutcome['calendar.events.insert 200'],
    refused: Object.keys(counts.byOutcome).filter((k) => / (403|429)$/.test(k)),
    events: emulator.control.state.events.get(calendarId)?.size,
  };
}

describe('study-session writes through a request budget', () => {
  it('wait for a small per-user quota: none refused, none failed, none sent twice', async () => {
    const plan = await writePlan(60);
    expect(plan.outcome).toMatchObject({ added: SESSIONS, failed: [], conflicts: [], batches: 3 });
    expect(plan.inserted).toBe(SESSIONS);
    expect(plan.accepted).toBe(SESSIONS);
    expect(plan.refused).toEqual([]);
    expect(new Set(plan.saved.map((row) => row.slotKey)).size).toBe(SESSIONS);
    expect(plan.events).toBe(SESSIONS);
    // 130 parts at 60 a minute (the calendar insert took one): the budget held the rest back.
    expect(plan.minutes).toBeGreaterThan(2);
    expect(plan.minutes).toBeLessThan(3);
  });

  it('keep up to GOOGLE_BATCHES_IN_FLIGHT batches in flight when the quota has room', async () => {
    const plan = await writePlan(600);
    expect(plan.outcome).toMatchObject({ added: SESSIONS, failed: [], batches: 3 });
    expect(plan.mostBatchesOut).toBe(3);
    expect(plan.minutes).toBe(0);
  });
});
