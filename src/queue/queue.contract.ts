import { afterEach, expect, it, vi } from 'vitest';
import { PermanentJobError, type Queue, type QueueEvent, RateLimitedJobError } from './queue.ts';

export interface QueueHarness {
  /** A queue on a fresh backend (a new random prefix for BullMQ). */
  make(): Queue;
  /** Another worker on the same backend as the last `make()`, or undefined in-process. */
  another?: () => Queue;
}

const waitFor = (check: () => void, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 20 });

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The promises every Queue keeps, asserted the same way on each implementation. */
export function queueContract(harness: QueueHarness): void {
  const queues: Queue[] = [];
  const make = () => {
    const queue = harness.make();
    queues.push(queue);
    return queue;
  };
  const another = () => {
    const queue = harness.another?.();
    if (queue) queues.push(queue);
    return queue;
  };
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.close(2_000)));
  });

  it('coalesces adds of one key inside the window into one run', async () => {
    const queue = make();
    const runs: unknown[] = [];
    queue.process('sync', async (payload) => void runs.push(payload));
    const added = await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        queue.add('sync', { user: 'u1' }, { coalesce: { key: 'u1:primary', windowMs: 300 } }),
      ),
    );
    expect(new Set(added.map((a) => a.id)).size).toBe(1);
    expect(added.filter((a) => a.coalesced)).toHaveLength(4);
    await waitFor(() => expect(runs).toHaveLength(1));
    await queue.add('sync', { user: 'u2' }, { coalesce: { key: 'u2:primary', windowMs: 50 } });
    await waitFor(() => expect(runs).toHaveLength(2));
  });

  it('runs exactly once more when adds arrive while the coalesced run is active', async () => {
    const queue = make();
    const first = gate();
    let runs = 0;
    queue.process('sync', async () => {
      runs += 1;
      if (runs === 1) await first.opened;
    });
    const key = { coalesce: { key: 'u1:primary', windowMs: 100 } };
    await queue.add('sync', {}, key);
    await waitFor(() => expect(runs).toBe(1));
    for (let i = 0; i < 4; i++) await queue.add('sync', {}, key);
    first.open();
    await waitFor(() => expect(runs).toBe(2));
    // Nothing else is pending: a further window passes without a third run.
    const marker = await queue.add('other', {}, { delayMs: 300 });
    queue.process('other', async () => {});
    await waitFor(async () => expect((await queue.getJob(marker.id))?.state).toBe('completed'));
    expect(runs).toBe(2);
  });

  it('adds a job with a given id once: adding that id again, waiting or finished, adds nothing', async () => {
    const queue = make();
    const runs: unknown[] = [];
    const first = await queue.add('sync', { n: 1 }, { jobId: 'sync.run-1', delayMs: 100 });
    const again = await queue.add('sync', { n: 2 }, { jobId: 'sync.run-1' });
    expect([first.id, again.id]).toEqual(['sync.run-1', 'sync.run-1']);
    expect((await queue.getJob('sync.run-1'))?.name).toBe('sync');
    queue.process('sync', async (payload) => void runs.push(payload));
    await waitFor(async () => expect((await queue.getJob('sync.run-1'))?.state).toBe('completed'));
    await queue.add('sync', { n: 3 }, { jobId: 'sync.run-1' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(runs).toEqual([{ n: 1 }]);
  });

  it('holds a delayed job until its time', async () => {
    const queue = make();
    let ran = false;
    queue.process('later', async () => {
      ran = true;
    });
    const { id } = await queue.add('later', {}, { delayMs: 400 });
    expect((await queue.getJob(id))?.state).toBe('delayed');
    expect(ran).toBe(false);
    await waitFor(() => expect(ran).toBe(true));
  });

  it('retries with backoff until it succeeds, and reports each try', async () => {
    const queue = make();
    const events: QueueEvent[] = [];
    queue.onEvent((e) => events.push(e));
    let tries = 0;
    queue.process('flaky', async () => {
      tries += 1;
      if (tries < 3) throw new Error(`try ${tries} failed`);
    });
    const { id } = await queue.add('flaky', {}, { attempts: 5, backoffMs: 20 });
    await waitFor(async () => expect((await queue.getJob(id))?.state).toBe('completed'));
    expect(tries).toBe(3);
    expect(events.map((e) => e.outcome)).toEqual(['retried', 'retried', 'completed']);
  });

  it('fails a permanent error at once, and a job that keeps failing after its attempts', async () => {
    const queue = make();
    let permanentTries = 0;
    let failingTries = 0;
    queue.process('revoked', async () => {
      permanentTries += 1;
      throw new PermanentJobError('grant revoked');
    });
    queue.process('broken', async () => {
      failingTries += 1;
      throw new Error('still broken');
    });
    const a = await queue.add('revoked', {}, { attempts: 5, backoffMs: 10 });
    const b = await queue.add('broken', {}, { attempts: 3, backoffMs: 10 });
    await waitFor(async () => expect((await queue.getJob(a.id))?.state).toBe('failed'));
    await waitFor(async () => expect((await queue.getJob(b.id))?.state).toBe('failed'));
    expect(permanentTries).toBe(1);
    expect(failingTries).toBe(3);
    expect((await queue.getJob(b.id))?.error).toContain('still broken');
  });

  it('waits out a rate limit without spending an attempt', async () => {
    const queue = make();
    let tries = 0;
    queue.process('limited', async () => {
      tries += 1;
      if (tries === 1) throw new RateLimitedJobError(100);
    });
    const { id } = await queue.add('limited', {}, { attempts: 1 });
    await waitFor(async () => expect((await queue.getJob(id))?.state).toBe('completed'));
    expect(tries).toBe(2);
  });

  it('delays a job that keeps meeting a rate limit, never failing it and spending no attempt', async () => {
    const queue = make();
    const events: QueueEvent[] = [];
    queue.onEvent((e) => events.push(e));
    let tries = 0;
    const attempts: number[] = [];
    queue.process('paced', async (_payload, context) => {
      tries += 1;
      attempts.push(context.attempt);
      if (tries <= 3) throw new RateLimitedJobError(250);
    });
    const { id } = await queue.add('paced', {}, { attempts: 1, groupKey: 'alice' });
    await waitFor(async () => expect(tries).toBe(1));
    await waitFor(async () => expect((await queue.getJob(id))?.state).toBe('delayed'));
    expect((await queue.getJob(id))?.attemptsMade).toBe(0);
    await waitFor(async () => expect((await queue.getJob(id))?.state).toBe('completed'));
    expect(tries).toBe(4);
    // Every try was the first: a job allowed one attempt ran four times and completed.
    expect(attempts).toEqual([1, 1, 1, 1]);
    expect(events.map((e) => e.outcome)).not.toContain('failed');
  });

  it('runs at most one job per group at a time, across workers, and other groups in parallel', async () => {
    const workers = [make()];
    const second = another();
    if (second) workers.push(second);
    const running = new Map<string, number>();
    const most = new Map<string, number>();
    let overall = 0;
    let mostOverall = 0;
    let done = 0;
    for (const worker of workers) {
      worker.process(
        'sync',
        async (payload: { user: string }) => {
          running.set(payload.user, (running.get(payload.user) ?? 0) + 1);
          overall += 1;
          most.set(payload.user, Math.max(most.get(payload.user) ?? 0, running.get(payload.user) ?? 0));
          mostOverall = Math.max(mostOverall, overall);
          await new Promise((resolve) => setTimeout(resolve, 60));
          running.set(payload.user, (running.get(payload.user) ?? 1) - 1);
          overall -= 1;
          done += 1;
        },
        { concurrency: 4 },
      );
    }
    const producer = workers[0];
    if (!producer) throw new Error('no queue');
    for (let i = 0; i < 4; i++) {
      await producer.add('sync', { user: 'alice' }, { groupKey: 'alice' });
      await producer.add('sync', { user: 'bob' }, { groupKey: 'bob' });
    }
    await waitFor(() => expect(done).toBe(8), 20_000);
    expect(most.get('alice')).toBe(1);
    expect(most.get('bob')).toBe(1);
    expect(mostOverall).toBeGreaterThanOrEqual(2);
  });

  it('runs a repeatable job once per tick however many workers there are', async () => {
    const workers = [make()];
    const second = another();
    if (second) workers.push(second);
    let runs = 0;
    for (const worker of workers) {
      worker.process(
        'tick',
        async () => {
          runs += 1;
        },
        { concurrency: 2 },
      );
    }
    await workers[0]?.repeat('tick', {}, 300);
    await waitFor(() => expect(runs).toBeGreaterThanOrEqual(3), 15_000);
    const ticksSoFar = runs;
    // Two workers never double a tick: over the next ticks the count grows by about one each.
    await waitFor(() => expect(runs).toBeGreaterThanOrEqual(ticksSoFar + 2), 15_000);
    expect(runs).toBeLessThanOrEqual(ticksSoFar + 3);
  });

  it('adds many jobs at once, each as add would: delayed, grouped, an id already held adds nothing', async () => {
    const queue = make();
    const runs: unknown[] = [];
    await queue.add('sync', { n: 0 }, { jobId: 'bulk.held', delayMs: 300 });
    await queue.addMany([
      { name: 'sync', payload: { n: 1 }, options: { jobId: 'bulk.1', groupKey: 'alice' } },
      { name: 'sync', payload: { n: 2 }, options: { jobId: 'bulk.2', delayMs: 300, groupKey: 'bob' } },
      { name: 'sync', payload: { n: 3 }, options: { jobId: 'bulk.held' } },
    ]);
    expect((await queue.getJob('bulk.2'))?.state).toBe('delayed');
    queue.process('sync', async (payload) => void runs.push(payload));
    await waitFor(async () => expect((await queue.getJob('bulk.2'))?.state).toBe('completed'));
    await waitFor(async () => expect((await queue.getJob('bulk.held'))?.state).toBe('completed'));
    expect(runs).toHaveLength(3);
    expect(runs).toEqual(expect.arrayContaining([{ n: 0 }, { n: 1 }, { n: 2 }]));
  });

  it('drains on close: a running job finishes before close resolves', async () => {
    const queue = make();
    let finished = false;
    let started = false;
    queue.process('slow', async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
      finished = true;
    });
    await queue.add('slow', {});
    await waitFor(() => expect(started).toBe(true));
    await queue.close(5_000);
    expect(finished).toBe(true);
  });
}
