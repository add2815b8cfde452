import { randomUUID } from 'node:crypto';
import {
  backoffDelay,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  type JobHandler,
  type JobOptions,
  type JobState,
  PermanentJobError,
  type Queue,
  type QueueEvent,
  RateLimitedJobError,
} from './queue.ts';

interface Job {
  id: string;
  name: string;
  payload: unknown;
  options: JobOptions;
  state: JobState['state'];
  attemptsMade: number;
  error: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

const KEEP_FINISHED = 1_000;

/**
 * The embedded default's queue: the same semantics as the BullMQ one, in this process.
 * Timers are the global ones, so tests drive 30-second windows with fake timers.
 */
export function createInProcessQueue(options: { random?: () => number } = {}): Queue {
  const random = options.random ?? Math.random;
  const jobs = new Map<string, Job>();
  const finished: string[] = [];
  const handlers = new Map<string, { handler: JobHandler<unknown>; concurrency: number; active: number }>();
  const ready: Job[] = [];
  const busyGroups = new Set<string>();
  // Per coalesce key: the job not yet started (takes further adds) and whether one is running.
  const coalesce = new Map<string, { pending: Job | undefined; running: boolean }>();
  const repeats = new Map<string, NodeJS.Timeout>();
  const listeners: Array<(event: QueueEvent) => void> = [];
  const running = new Set<Promise<void>>();
  let closed = false;

  const emit = (event: QueueEvent) => {
    for (const listener of listeners) listener(event);
  };
  const groupOf = (job: Job) => job.options.groupKey ?? job.options.coalesce?.key;

  const schedule = (job: Job, delayMs: number) => {
    job.state = delayMs > 0 ? 'delayed' : 'waiting';
    if (delayMs > 0) {
      job.timer = setTimeout(() => {
        job.timer = undefined;
        job.state = 'waiting';
        ready.push(job);
        pump();
      }, delayMs);
    } else {
      ready.push(job);
      queueMicrotask(pump);
    }
  };

  const pump = () => {
    if (closed) return;
    for (let i = 0; i < ready.length; ) {
      const job = ready[i];
      if (!job) break;
      const worker = handlers.get(job.name);
      const group = groupOf(job);
      if (!worker || worker.active >= worker.concurrency || (group !== undefined && busyGroups.has(group))) {
        i++;
        continue;
      }
      ready.splice(i, 1);
      start(job, worker);
    }
  };

  const start = (job: Job, worker: { handler: JobHandler<unknown>; active: number }) => {
    const group = groupOf(job);
    if (group !== undefined) busyGroups.add(group);
    const key = job.options.coalesce?.key;
    if (key) {
      const slot = coalesce.get(key);
      if (slot?.pending === job) slot.pending = undefined;
      if (slot) slot.running = true;
    }
    worker.active += 1;
    job.state = 'active';
    job.attemptsMade += 1;
    const run = worker
      .handler(job.payload, { id: job.id, name: job.name, attempt: job.attemptsMade })
      .then(
        () => settle(job, undefined),
        (error: unknown) => settle(job, error),
      )
      .finally(() => {
        worker.active -= 1;
        if (group !== undefined) busyGroups.delete(group);
        if (key) {
          const slot = coalesce.get(key);
          if (slot) slot.running = false;
          if (slot && !slot.pending && !slot.running) coalesce.delete(key);
        }
        running.delete(run);
        pump();
      });
    running.add(run);
  };

  const settle = (job: Job, error: unknown) => {
    if (error === undefined) {
      finish(job, 'completed', undefined);
      emit({ name: job.name, outcome: 'completed' });
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof RateLimitedJobError && !closed) {
      job.attemptsMade -= 1; // waiting for a rate limit is not a failed try
      schedule(job, error.retryAfterMs);
      emit({ name: job.name, outcome: 'retried' });
      return;
    }
    const attempts = job.options.attempts ?? DEFAULT_ATTEMPTS;
    if (!(error instanceof PermanentJobError) && job.attemptsMade < attempts && !closed) {
      job.error = message;
      schedule(job, backoffDelay(job.attemptsMade, job.options.backoffMs ?? DEFAULT_BACKOFF_MS, random));
      emit({ name: job.name, outcome: 'retried' });
      return;
    }
    finish(job, 'failed', message);
    emit({ name: job.name, outcome: 'failed' });
  };

  const finish = (job: Job, state: 'completed' | 'failed', error: string | undefined) => {
    job.state = state;
    job.error = error;
    job.payload = undefined;
    finished.push(job.id);
    while (finished.length > KEEP_FINISHED) jobs.delete(finished.shift() ?? '');
  };

  const queue: Queue = {
    async add(name, payload, options = {}) {
      if (closed) throw new Error('the queue is closed');
      const existing = options.jobId === undefined ? undefined : jobs.get(options.jobId);
      if (existing) return { id: existing.id, coalesced: true };
      const key = options.coalesce?.key;
      if (key) {
        const slot = coalesce.get(key) ?? { pending: undefined, running: false };
        coalesce.set(key, slot);
        // Like BullMQ's deduplication, the first payload of a window is the one that runs.
        if (slot.pending) return { id: slot.pending.id, coalesced: true };
      }
      const job: Job = {
        id: options.jobId ?? randomUUID(),
        name,
        payload,
        options,
        state: 'waiting',
        attemptsMade: 0,
        error: undefined,
        timer: undefined,
      };
      jobs.set(job.id, job);
      if (key) {
        const slot = coalesce.get(key);
        if (slot) slot.pending = job;
      }
      schedule(job, Math.max(options.delayMs ?? 0, options.coalesce?.windowMs ?? 0));
      return { id: job.id, coalesced: false };
    },
    async addMany(bulk) {
      for (const job of bulk) await queue.add(job.name, job.payload, job.options);
    },
    process(name, handler, options = {}) {
      handlers.set(name, {
        handler: handler as JobHandler<unknown>,
        concurrency: options.concurrency ?? 1,
        active: 0,
      });
      queueMicrotask(pump);
    },
    async repeat(name, payload, everyMs) {
      clearInterval(repeats.get(name));
      repeats.set(
        name,
        setInterval(() => {
          if (!closed) void queue.add(name, payload, { coalesce: { key: `repeat:${name}`, windowMs: 0 } });
        }, everyMs),
      );
    },
    async getJob(id) {
      const job = jobs.get(id);
      return (
        job && {
          id: job.id,
          name: job.name,
          state: job.state,
          attemptsMade: job.attemptsMade,
          error: job.error,
        }
      );
    },
    async ping() {},
    onEvent(listener) {
      listeners.push(listener);
    },
    async close(timeoutMs = 25_000) {
      closed = true;
      for (const timer of repeats.values()) clearInterval(timer);
      for (const job of jobs.values()) clearTimeout(job.timer);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    },
  };
  return queue;
}
