import { afterEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';

let emulator: GoogleEmulator;
afterEach(() => emulator.close());

const event = (n: number) => ({
  id: `gate${String(n).padStart(4, '0')}`,
  summary: `Event ${n}`,
  start: { dateTime: '2026-12-02T10:00:00Z' },
  end: { dateTime: '2026-12-02T10:30:00Z' },
});

describe('the Calendar client and its request gate', () => {
  it('asks before every request for its cost (a batch: its parts), and reports a rate refusal', async () => {
    emulator = await startGoogleEmulator();
    const token = await emulatorAccessToken(emulator, [SCOPES.appCreated]);
    const costs: number[] = [];
    let refusals = 0;
    const api = createGoogleCalendarClient({
      rootUrl: `${emulator.url}/`,
      accessToken: async () => token,
      gate: {
        acquire: async (cost) => void costs.push(cost),
        refused: async () => {
          refusals += 1;
        },
      },
    });
    const { id: calendarId } = await api.insertCalendar({ summary: 'CanvasCal', timeZone: 'UTC' });
    emulator.control.failNext('calendar.events.insert', 403, 1);
    const results = await api.batch(
      Array.from({ length: 7 }, (_, n) => ({ kind: 'insert' as const, calendarId, event: event(n) })),
    );
    expect(results.filter((r) => !r.ok)).toHaveLength(1);
    expect(refusals).toBe(1);
    await api.getCalendar(calendarId);
    expect(costs).toEqual([1, 7, 1]);
    // What the gate was asked for is what Google counted against the quota: every Calendar call.
    const calendarCalls = Object.entries(emulator.control.requestCounts().byMethod)
      .filter(([method]) => method.startsWith('calendar.'))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(calendarCalls).toBe(9);
  });
});
