import { describe, expect, it } from 'vitest';
import { demoClient, CANVAS_NOW as NOW, useCanvasEmulator } from '../support/canvas.ts';

const emulator = useCanvasEmulator();

/** Canvas answering the courses listing with 429 (and these headers) `times` times first. */
function tooManyFirst(times: number, headers: Record<string, string> = {}): typeof fetch {
  let left = times;
  return async (input, init) => {
    if (new URL(String(input)).pathname === '/api/v1/courses' && left > 0) {
      left -= 1;
      return new Response('Too Many Requests', { status: 429, headers });
    }
    return fetch(input, init);
  };
}

const read = (fetchImpl: typeof fetch, random: () => number, sleeps: number[], attempts = 5) =>
  demoClient(emulator, sleeps, { fetch: fetchImpl, random, attempts }).readDueItems();

describe('429 Too Many Requests', () => {
  it('backs off exponentially with jitter, then reads everything', async () => {
    const rolls = [0, 1, 0.5];
    const sleeps: number[] = [];
    const result = await read(tooManyFirst(3), () => rolls.shift() ?? 0, sleeps);
    expect(result.complete).toBe(true);
    // 1 s, 2 s, 4 s, each scaled by a random 50–100 %: the rolls 0, 1 and 0.5.
    expect(sleeps).toEqual([500, 2000, 3000]);
  });

  it('waits what Retry-After says (in seconds) instead', async () => {
    const sleeps: number[] = [];
    const result = await read(tooManyFirst(2, { 'retry-after': '7' }), () => 0, sleeps);
    expect(result.complete).toBe(true);
    expect(sleeps).toEqual([7000, 7000]);
  });

  it('caps a long Retry-After at a minute, and backs off as usual when it is not in seconds', async () => {
    const capped: number[] = [];
    expect((await read(tooManyFirst(1, { 'retry-after': '3600' }), () => 0, capped)).complete).toBe(true);
    expect(capped).toEqual([60_000]);
    const dated: number[] = [];
    const date = new Date(NOW + 30_000).toUTCString();
    expect((await read(tooManyFirst(1, { 'retry-after': date }), () => 0, dated)).complete).toBe(true);
    expect(dated).toEqual([500]);
  });

  it('gives up as rate_limited, naming what it was reading, when 429s go on', async () => {
    const sleeps: number[] = [];
    const result = await read(tooManyFirst(10), () => 0, sleeps, 3);
    expect(result).toEqual({
      complete: false,
      failure: {
        code: 'rate_limited',
        message: 'Canvas failed to list your courses (HTTP 429, 3 tries); try again later',
      },
    });
    expect(sleeps).toHaveLength(2);
  });
});
