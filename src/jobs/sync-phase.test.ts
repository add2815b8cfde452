import { describe, expect, it } from 'vitest';
import { syncPhaseMs, tickSlice } from './sync-phase.ts';

const PERIOD = 15 * 60_000;
const TICK = 60_000;

describe('sync phases', () => {
  it('are fixed per user, inside the period, and spread over it', () => {
    const ids = Array.from(
      { length: 3000 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const perMinute = new Array<number>(15).fill(0);
    for (const id of ids) {
      const phase = syncPhaseMs(id, PERIOD);
      expect(syncPhaseMs(id, PERIOD)).toBe(phase);
      expect(phase).toBeGreaterThanOrEqual(0);
      expect(phase).toBeLessThan(PERIOD);
      perMinute[Math.floor(phase / TICK)] = (perMinute[Math.floor(phase / TICK)] ?? 0) + 1;
    }
    // 200 a minute on average; no minute gets twice its share or half of it.
    for (const count of perMinute) expect(count).toBeGreaterThan(100);
    for (const count of perMinute) expect(count).toBeLessThan(400);
  });

  it('slice the period once per tick, whether ticks come early or late', () => {
    const start = Date.UTC(2027, 0, 1, 8, 0, 0);
    for (const skew of [-20_000, 0, 7, 29_000]) {
      const slices = Array.from({ length: 15 }, (_, k) => tickSlice(start + k * TICK + skew, PERIOD, TICK));
      expect(slices.map((s) => s.fromMs)).toEqual(Array.from({ length: 15 }, (_, k) => k * TICK));
      expect(slices.every((s) => s.toMs === s.fromMs + TICK)).toBe(true);
      // A user at the slice's start begins at its phase, or at once when the tick is late.
      const first = slices[3];
      expect(first?.delayMs(3 * TICK + 500)).toBe(Math.max(0, 500 - skew));
    }
  });

  it('refuses a period that is not a whole number of ticks', () => {
    expect(() => tickSlice(0, 90_000, TICK)).toThrow(/whole number/);
  });
});
