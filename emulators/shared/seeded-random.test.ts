import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.ts';

const take = (next: () => number, n: number) => Array.from({ length: n }, next);

describe('seededRandom', () => {
  it('repeats its sequence for a seed, differs across seeds, and stays in [0, 1)', () => {
    const a = take(seededRandom(42), 1000);
    expect(take(seededRandom(42), 1000)).toEqual(a);
    expect(take(seededRandom(43), 1000)).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    // Roughly uniform: each tenth of the range holds 5–15% of a thousand draws.
    const buckets = Array.from({ length: 10 }, (_, i) => a.filter((x) => Math.floor(x * 10) === i).length);
    expect(buckets.every((n) => n > 50 && n < 150)).toBe(true);
  });
});
