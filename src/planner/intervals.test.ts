import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clipIntervals,
  type Interval,
  intersectIntervals,
  mergeIntervals,
  padIntervals,
  subtractIntervals,
  totalLength,
} from './intervals.ts';

const intervalArb = fc
  .tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 15 }))
  .map(([start, len]) => ({ start, end: start + len }));
const listArb = fc.array(intervalArb, { maxLength: 8 });

/** Which unit cells [k, k+1) of 0..80 a list covers: an obviously right model. */
const cells = (list: readonly Interval[]) =>
  Array.from({ length: 80 }, (_, k) => list.some((i) => i.start <= k && k + 1 <= i.end));

const normalised = (list: readonly Interval[]) =>
  list.every((i, k) => i.end > i.start && (k === 0 || (list[k - 1]?.end ?? 0) < i.start));

describe('intervals', () => {
  it('merge covers the same time, sorted, with no touching members', () => {
    fc.assert(
      fc.property(listArb, (a) => {
        const m = mergeIntervals(a);
        expect(cells(m)).toEqual(cells(a));
        expect(normalised(m)).toBe(true);
      }),
    );
  });

  it('subtract, intersect and clip agree with the cell model', () => {
    fc.assert(
      fc.property(listArb, listArb, intervalArb, (a, b, w) => {
        const ca = cells(a);
        const cb = cells(b);
        const cw = cells([w]);
        const sub = subtractIntervals(a, b);
        const inter = intersectIntervals(a, b);
        const clip = clipIntervals(a, w);
        expect(cells(sub)).toEqual(ca.map((x, k) => x && !cb[k]));
        expect(cells(inter)).toEqual(ca.map((x, k) => x && cb[k]));
        expect(cells(clip)).toEqual(ca.map((x, k) => x && cw[k]));
        for (const r of [sub, inter, clip]) expect(normalised(r)).toBe(true);
      }),
    );
  });

  it('pads both sides and measures length', () => {
    expect(
      padIntervals(
        [
          { start: 10, end: 20 },
          { start: 25, end: 30 },
        ],
        3,
      ),
    ).toEqual([{ start: 7, end: 33 }]);
    expect(
      totalLength(
        mergeIntervals([
          { start: 0, end: 10 },
          { start: 5, end: 15 },
        ]),
      ),
    ).toBe(15);
    expect(subtractIntervals([{ start: 0, end: 10 }], [{ start: 0, end: 10 }])).toEqual([]);
  });
});
