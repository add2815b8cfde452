/** Options for one job. */
export interface JobOptions {
  /** Run no sooner than this many milliseconds from now. */
  delayMs?: number;
  /**
   * Coalescing: every add with the same key inside `windowMs` becomes one run (with the
   * latest payload). An add while that run is active schedules exactly one more run after it.
   */
  coalesce?: { key: string; windowMs: number };
  /** At most one job with this key runs at a time, across every worker (e.g. a user id). */
  groupKey?: string;
  /** Tries in all, the first included (default 5). */
  attempts?: number;
  /** First retry delay; doubles each time, with jitter (default 2000 ms). */
  backoffMs?: number;
  /**
   * The job's id. An add whose id the queue still holds (in any state) adds nothing and
   * answers that job, so a producer that is unsure whether its job survived can add it again.
   */
  jobId?: string;
}

/** One job of `Queue.addMany`. */
export interface BulkJob<P> {
  name: string;
  payload: P;
  options?: Omit<JobOptions, 'coalesce'>;
}

export interface JobContext {
  id: string;
  name: string;
  /** 1 on the first try. */
  attempt: number;
}

export type JobHandler<P> = (payload: P, context: JobContext) => Promise<unknown>;

export type JobStateName = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed';

export interface JobState {
  id: string;
  name: string;
  state: JobStateName;
  attemptsMade: number;
  error: string | undefined;
}

export interface QueueEvent {
  name: string;
  outcome: 'completed' | 'failed' | 'retried';
}

/** A handler throws this when retrying cannot help (revoked grant, deleted course): the job fails now. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}

/** A handler throws this when a service asked it to wait: the job runs again later, using no attempt. */
export class RateLimitedJobError extends Error {
  override readonly name = 'RateLimitedJobError';
  constructor(
    readonly retryAfterMs: number,
    message = 'rate limited',
  ) {
    super(message);
  }
}

/** The queue's backing store (Redis) cannot be reached; HTTP answers 503. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}

/**
 * Background jobs. Implementations: BullMQ on Redis (many processes) and in-process (the
 * embedded default). Both keep the same promises: coalescing by key, one running job per
 * group key, retries with exponential backoff and jitter, permanent failures, repeatable
 * jobs that run once per tick however many workers there are, and a draining close.
 */
export interface Queue {
  /** Resolves with the job id (an existing one when the add was coalesced into it). */
  add<P>(name: string, payload: P, options?: JobOptions): Promise<{ id: string; coalesced: boolean }>;
  /**
   * Adds many jobs in one round trip where the backend can (BullMQ's addBulk): each as `add`
   * would (a job id the queue still holds adds nothing), without coalescing. Not atomic: on
   * an error some may have been added, and adding them all again is safe.
   */
  addMany<P>(jobs: ReadonlyArray<BulkJob<P>>): Promise<void>;
  /** Registers the handler for a job name; this process then works on those jobs. */
  process<P>(name: string, handler: JobHandler<P>, options?: { concurrency?: number }): void;
  /** Runs `name` every `everyMs`, once per tick across all workers; replaces an earlier schedule of that name. */
  repeat<P>(name: string, payload: P, everyMs: number): Promise<void>;
  getJob(id: string): Promise<JobState | undefined>;
  /** Rejects when the backing store cannot be reached. */
  ping(): Promise<void>;
  onEvent(listener: (event: QueueEvent) => void): void;
  /** Stops taking jobs, waits for running ones (up to `timeoutMs`), and closes connections. */
  close(timeoutMs?: number): Promise<void>;
}

export const DEFAULT_ATTEMPTS = 5;
export const DEFAULT_BACKOFF_MS = 2_000;

/** Exponential backoff with full jitter on the upper half: base·2^(n−1)·[0.5, 1). */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const exponential = baseMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(exponential * (0.5 + random() / 2));
}
