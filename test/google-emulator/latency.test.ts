import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

let emulator: GoogleEmulator;
afterEach(() => emulator.close());

const SCOPE_LIST = [SCOPES.calendarListReadonly, SCOPES.eventsFreebusy];
const range = {
  timeMin: '2026-12-02T00:00:00Z',
  timeMax: '2026-12-03T00:00:00Z',
  items: [{ id: 'primary' }],
};

describe('scripted latency', () => {
  it('holds matching requests by the scripted delay, per method and count (recorded by an injected sleep)', async () => {
    const slept: number[] = [];
    emulator = await startGoogleEmulator({
      now: () => Date.parse('2026-12-01T15:00:00Z'),
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, SCOPE_LIST));
    emulator.control.setLatency(250, { method: 'calendar.calendarList.list', count: 2 });
    emulator.control.setLatency(40, { method: 'oauth.token' });
    await api.freebusy.query({ requestBody: range });
    expect(slept).toEqual([]);
    await api.calendarList.list();
    await api.calendarList.list();
    await api.calendarList.list();
    expect(slept).toEqual([250, 250]);
    await emulatorAccessToken(emulator, SCOPE_LIST);
    expect(slept).toEqual([250, 250, 40]);
    // Without options it applies to everything and replaces the rules above; 0 removes it.
    emulator.control.setLatency(7);
    await api.freebusy.query({ requestBody: range });
    emulator.control.setLatency(0);
    await api.calendarList.list();
    expect(slept).toEqual([250, 250, 40, 7]);
    expect(() => emulator.control.setLatency(-1)).toThrow(/latency/);
    expect(() => emulator.control.setLatency(5, { count: 0 })).toThrow(/count/);
  });

  it('really delays the answer with the default timer (a measured lower bound)', async () => {
    emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, SCOPE_LIST));
    emulator.control.setLatency(200, { method: 'calendar.calendarList.list', count: 1 });
    const started = performance.now();
    expect(await googleReason(api.calendarList.list())).toBe('no error');
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('counts the requests it is holding, by method, until it lets them go', async () => {
    const held: Array<() => void> = [];
    emulator = await startGoogleEmulator({
      now: () => Date.parse('2026-12-01T15:00:00Z'),
      sleep: () => new Promise<void>((resolve) => held.push(resolve)),
    });
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, SCOPE_LIST));
    emulator.control.setLatency(60_000, { method: 'calendar.calendarList.list', count: 1 });
    expect(emulator.control.heldRequests()).toEqual({});
    const listed = api.calendarList.list();
    await expect.poll(() => emulator.control.heldRequests()).toEqual({ 'calendar.calendarList.list': 1 });
    // Held before it is applied: nothing is counted as answered yet.
    expect(emulator.control.requestCounts().byMethod['calendar.calendarList.list']).toBeUndefined();
    for (const release of held.splice(0)) release();
    expect(await googleReason(listed)).toBe('no error');
    expect(emulator.control.heldRequests()).toEqual({});
  });
});
