import { Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type { JobMessage, WorkerMessage } from './planner-worker.ts';
import type { PlanSolver, SolveJob, SolveOutcome } from './solve-plan.ts';

export interface PlannerPoolOptions {
  /** Worker threads (PLANNER_WORKERS); each runs one plan at a time. */
  size: number;
  /** Plans that may wait for a free worker; one more answers 503 (planner_busy). */
  maxQueued?: number;
  /** Plans one user may have running or waiting; one more answers 429 (too_many_plans). */
  maxPerUser?: number;
  /** How long one plan may run on its worker before it is stopped (planner_timeout). */
  timeoutMs?: number;
  /** The TypeScript module each thread runs; tests point it at a misbehaving one. */
  module?: URL;
}

/** What the pool is doing, for tests, metrics and the benchmark. */
export interface PlannerPoolStats {
  workers: number;
  running: number;
  queued: number;
  completed: number;
  crashes: number;
  timeouts: number;
}

/**
 * Runs the planner on worker threads so a heavy plan never blocks the request thread.
 * Guarantees: at most `size` plans run at once, at most `maxQueued` wait (then 503 with
 * Retry-After), at most `maxPerUser` per user (then 429), so one user cannot fill the queue
 * alone; a plan past `timeoutMs` or a thread that dies rejects that plan only and
 * the thread is replaced; `close()` rejects what waits and stops every thread.
 */
export interface PlannerPool {
  readonly run: PlanSolver;
  stats(): PlannerPoolStats;
  close(): Promise<void>;
}

export const DEFAULT_MAX_QUEUED_PER_WORKER = 4;
export const DEFAULT_PLAN_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_PER_USER = 2;

const ENTRY = new URL('./planner-worker-entry.mjs', import.meta.url);
const MAIN_MODULE = new URL('./planner-worker-main.ts', import.meta.url);

interface Pending {
  readonly job: SolveJob;
  resolve(outcome: SolveOutcome): void;
  reject(error: Error): void;
}

interface Thread {
  readonly worker: Worker;
  ready: boolean;
  current?: { id: number; pending: Pending; timer: NodeJS.Timeout } | undefined;
}

const busyError = () =>
  new AppError('planner_busy', 'Too many plans are being made right now; try again in a few seconds.', 503);
const perUserError = (max: number) =>
  new AppError(
    'too_many_plans',
    `You already have ${max} plans being made; wait for them to finish, then ask again.`,
    429,
  );
const closedError = () =>
  new AppError('planner_unavailable', 'The planner is shutting down; try again in a moment.', 503);

export function createPlannerPool(options: PlannerPoolOptions): PlannerPool {
  const size = Math.max(1, options.size);
  const maxQueued = options.maxQueued ?? size * DEFAULT_MAX_QUEUED_PER_WORKER;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PLAN_TIMEOUT_MS;
  const maxPerUser = options.maxPerUser ?? DEFAULT_MAX_PER_USER;
  const perUser = new Map<string, number>();
  const module = (options.module ?? MAIN_MODULE).href;
  const threads = new Set<Thread>();
  const queue: Pending[] = [];
  const counts = { completed: 0, crashes: 0, timeouts: 0 };
  let nextId = 1;
  let closed = false;

  const finish = (thread: Thread) => {
    const current = thread.current;
    thread.current = undefined;
    if (current) clearTimeout(current.timer);
    return current;
  };

  // A thread that is gone takes its plan with it; the next plan gets a fresh thread.
  const retire = (thread: Thread, failure: () => Error) => {
    if (!threads.delete(thread)) return;
    const current = finish(thread);
    if (current) current.pending.reject(failure());
    else if (!thread.ready) {
      // It died while loading: every waiting plan would meet the same fate.
      for (const pending of queue.splice(0)) pending.reject(failure());
    }
    void thread.worker.terminate();
    dispatch();
  };

  const spawn = () => {
    const worker = new Worker(ENTRY, { workerData: { module } });
    // Closing the pool ends the threads; an idle one alone never keeps the process alive.
    worker.unref();
    const thread: Thread = { worker, ready: false };
    threads.add(thread);
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'ready') {
        thread.ready = true;
      } else {
        const current = finish(thread);
        if (current && current.id === message.id) {
          counts.completed += 1;
          if (message.kind === 'done') current.pending.resolve(message.outcome);
          else current.pending.reject(new Error(`planner failed: ${message.message}`));
        }
      }
      dispatch();
    });
    const crashed = () => {
      counts.crashes += 1;
      return new AppError(
        'planner_crashed',
        'The planner stopped unexpectedly while making this plan; it has been restarted. Try again, and report it if it keeps happening.',
        500,
      );
    };
    worker.on('error', () => retire(thread, crashed));
    worker.on('exit', () => retire(thread, crashed));
  };

  function dispatch(): void {
    if (closed) return;
    for (const thread of threads) {
      if (queue.length === 0) return;
      if (!thread.ready || thread.current) continue;
      const pending = queue.shift();
      if (!pending) return;
      const id = nextId++;
      const timer = setTimeout(() => {
        counts.timeouts += 1;
        retire(
          thread,
          () =>
            new AppError(
              'planner_timeout',
              `This plan took longer than ${Math.round(timeoutMs / 1000)} s and was stopped. Plan fewer deadlines, a shorter horizon (horizonDays) or longer slots (slotMinutes).`,
              422,
            ),
        );
      }, timeoutMs);
      timer.unref();
      thread.current = { id, pending, timer };
      thread.worker.postMessage({ id, job: pending.job } satisfies JobMessage);
    }
    // Start threads only when plans wait for them: a process that never plans has none.
    const starting = [...threads].filter((t) => !t.ready).length;
    if (queue.length > starting && threads.size < size) spawn();
  }

  return {
    run: (job) =>
      new Promise<SolveOutcome>((resolve, reject) => {
        if (closed) return reject(closedError());
        if (queue.length >= maxQueued) return reject(busyError());
        const user = job.userId;
        if (user === undefined) {
          queue.push({ job, resolve, reject });
          return dispatch();
        }
        const mine = perUser.get(user) ?? 0;
        if (mine >= maxPerUser) return reject(perUserError(maxPerUser));
        perUser.set(user, mine + 1);
        const release = () => {
          const left = (perUser.get(user) ?? 1) - 1;
          if (left > 0) perUser.set(user, left);
          else perUser.delete(user);
        };
        queue.push({
          job,
          resolve: (outcome) => {
            release();
            resolve(outcome);
          },
          reject: (error) => {
            release();
            reject(error);
          },
        });
        dispatch();
      }),
    stats: () => ({
      workers: threads.size,
      running: [...threads].filter((t) => t.current).length,
      queued: queue.length,
      ...counts,
    }),
    async close() {
      closed = true;
      for (const pending of queue.splice(0)) pending.reject(closedError());
      const stopping = [...threads].map((thread) => {
        threads.delete(thread);
        finish(thread)?.pending.reject(closedError());
        return thread.worker.terminate();
      });
      await Promise.all(stopping);
    },
  };
}
