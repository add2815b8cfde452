import { afterEach, describe, expect, it, vi } from 'vitest';
import { createInProcessQueue } from './in-process-queue.ts';
import { queueContract } from './queue.contract.ts';
import { backoffDelay } from './queue.ts';

describe('in-process queue', () => {
  queueContract({ make: () => createInProcessQueue() });
});

describe('in-process queue with fake timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns a storm of notifications inside 30 seconds into one run', async () => {
    vi.useFakeTimers();
    const queue = createInProcessQueue();
    let runs = 0;
    queue.process('delta-sync', async () => {
      runs += 1;
    });
    for (let i = 0; i < 50; i++) {
      await queue.add('delta-sync', { userId: 'u1' }, { coalesce: { key: 'u1:primary', windowMs: 30_000 } });
      await vi.advanceTimersByTimeAsync(500);
    }
    // 25 s have passed: the window is still open and nothing has run.
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(runs).toBe(1);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(runs).toBe(1);
    await queue.close();
  });
});

describe('backoffDelay', () => {
  it('doubles per attempt and stays within [50%, 100%) of the exponential value', () => {
    expect(backoffDelay(1, 1000, () => 0)).toBe(500);
    expect(backoffDelay(3, 1000, () => 0)).toBe(2000);
    expect(backoffDelay(3, 1000, () => 0.999)).toBeLessThan(4000);
  });
});
