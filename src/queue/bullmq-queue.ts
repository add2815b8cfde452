import { randomUUID } from 'node:crypto';
import { Queue as BullQueue, DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createGroupLock } from './group-lock.ts';
import {
  backoffDelay,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  type JobHandler,
  type JobState,
  PermanentJobError,
  type Queue,
  type QueueEvent,
  QueueUnavailableError,
  RateLimitedJobError,
} from './queue.ts';

export interface BullmqQueueOptions {
  redisUrl: string;
  /** Redis key prefix; tests use a random one each. */
  prefix?: string;
  queueName?: string;
  random?: () => number;
  /** How long a producer call waits for Redis before answering "unavailable" (default 2 s). */
  readyTimeoutMs?: number;
  /**
   * How long a job's lock (and its user's group lock) outlives a worker that stopped renewing
   * it, e.g. one killed with SIGKILL (default 30 s): another worker takes the job over after
   * about this long. Reliability tests shrink it instead of waiting.
   */
  lockMs?: number;
}

interface Envelope {
  payload: unknown;
  groupKey?: string;
  backoffMs: number;
}

const READY_TIMEOUT_MS = 2_000;
// How long a job waits before trying again for a group (user) another worker holds.
const GROUP_RETRY_MS = 250;
// BullMQ's own default lock duration.
const DEFAULT_LOCK_MS = 30_000;

/**
 * The queue on Redis through BullMQ, following its production guide: the producer
 * connection fails fast (`enableOfflineQueue: false`, so an HTTP handler answers 503 instead
 * of hanging), workers use `maxRetriesPerRequest: null`, and close() lets running jobs
 * finish. Coalescing is BullMQ deduplication with `keepLastIfActive`; one-job-per-group is a
 * Redis lock per group key, and a job that finds its group busy is delayed, not failed.
 */
export function createBullmqQueue(options: BullmqQueueOptions): Queue {
  const prefix = options.prefix ?? 'canvascal';
  const queueName = options.queueName ?? 'jobs';
  const random = options.random ?? Math.random;
  const readyTimeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
  const producer = new Redis(options.redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: false,
  });
  producer.on('error', () => {}); // surfaced per call as QueueUnavailableError
  const queue = new BullQueue(queueName, { connection: producer, prefix });
  queue.on('error', () => {});
  const handlers = new Map<string, JobHandler<unknown>>();
  const listeners: Array<(event: QueueEvent) => void> = [];
  let worker: Worker | undefined;
  let workerConnection: Redis | undefined;
  let concurrency = 1;
  let workerReached = false;
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const groupLock = createGroupLock(producer, `${prefix}:${queueName}:group:`, lockMs);

  const emit = (event: QueueEvent) => {
    for (const listener of listeners) listener(event);
  };

  // BullMQ waits for a connection indefinitely; a producer in an HTTP handler must not.
  // Callers waiting at the same time share one wait, and a wait that times out takes its
  // listener away: a readiness probe every few seconds while Redis is down must not pile up
  // `ready` listeners.
  let waitingForReady: Promise<boolean> | undefined;
  const waitForReady = () =>
    new Promise<boolean>((resolve) => {
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        producer.off('ready', onReady);
        resolve(false);
      }, readyTimeoutMs);
      producer.once('ready', onReady);
    });
  const ensureReady = async () => {
    if (producer.status === 'ready') return;
    waitingForReady ??= waitForReady().finally(() => {
      waitingForReady = undefined;
    });
    if (!(await waitingForReady)) {
      // ioredis bounds the TCP connect but not the handshake after it: a connection made
      // into a black-holed link waits for its answer forever, even once the link is back.
      // Dropping it makes ioredis connect afresh.
      if (producer.status === 'connect') producer.disconnect(true);
      throw new QueueUnavailableError('the job queue (Redis) is unreachable');
    }
  };

  const unavailable = (error: unknown) =>
    new QueueUnavailableError(`the job queue (Redis) is unreachable: ${(error as Error).message ?? error}`);

  const startWorker = () => {
    if (worker) return;
    workerConnection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    workerConnection.on('error', () => {});
    worker = new Worker<Envelope>(
      queueName,
      async (job, token) => {
        const handler = handlers.get(job.name);
        if (!handler) throw new UnrecoverableError(`no handler for job ${job.name}`);
        const lockId = job.data.groupKey ? await groupLock.acquire(job.data.groupKey) : undefined;
        if (job.data.groupKey && !lockId) {
          await job.moveToDelayed(Date.now() + GROUP_RETRY_MS, token);
          throw new DelayedError();
        }
        try {
          return await handler(job.data.payload, {
            id: job.id ?? '',
            name: job.name,
            attempt: job.attemptsMade + 1,
          });
        } catch (error) {
          if (error instanceof RateLimitedJobError) {
            await job.moveToDelayed(Date.now() + error.retryAfterMs, token);
            throw new DelayedError();
          }
          if (error instanceof PermanentJobError) throw new UnrecoverableError(error.message);
          throw error;
        } finally {
          if (job.data.groupKey && lockId) await groupLock.release(job.data.groupKey, lockId);
        }
      },
      {
        connection: workerConnection,
        prefix,
        concurrency,
        // A stalled job (its worker died) goes back to waiting once its lock has lapsed.
        lockDuration: lockMs,
        stalledInterval: lockMs,
        settings: {
          backoffStrategy: (attemptsMade, _type, _error, job) =>
            backoffDelay(
              attemptsMade,
              (job?.data as Envelope | undefined)?.backoffMs ?? DEFAULT_BACKOFF_MS,
              random,
            ),
        },
      },
    );
    worker.on('error', () => {});
    worker.on('ready', () => {
      workerReached = true;
    });
    worker.on('completed', (job: Job) => emit({ name: job.name, outcome: 'completed' }));
    worker.on('failed', (job: Job | undefined, error: Error) => {
      if (!job || error instanceof DelayedError || error.name === 'DelayedError') return;
      const attempts = job.opts.attempts ?? 1;
      const final =
        error instanceof UnrecoverableError ||
        error.name === 'UnrecoverableError' ||
        job.attemptsMade >= attempts;
      emit({ name: job.name, outcome: final ? 'failed' : 'retried' });
    });
  };

  return {
    async add(name, payload, jobOptions = {}) {
      const id = jobOptions.jobId ?? randomUUID();
      const data: Envelope = {
        payload,
        backoffMs: jobOptions.backoffMs ?? DEFAULT_BACKOFF_MS,
        ...(jobOptions.groupKey ? { groupKey: jobOptions.groupKey } : {}),
      };
      const delay = Math.max(jobOptions.delayMs ?? 0, jobOptions.coalesce?.windowMs ?? 0);
      await ensureReady();
      try {
        const job = await queue.add(name, data, {
          jobId: id,
          delay,
          attempts: jobOptions.attempts ?? DEFAULT_ATTEMPTS,
          backoff: { type: 'custom' },
          removeOnComplete: { count: 1_000 },
          removeOnFail: { count: 5_000 },
          ...(jobOptions.coalesce
            ? { deduplication: { id: jobOptions.coalesce.key, keepLastIfActive: true } }
            : {}),
        });
        return { id: job.id ?? id, coalesced: job.id !== id };
      } catch (error) {
        throw unavailable(error);
      }
    },
    async addMany(bulk) {
      if (bulk.length === 0) return;
      await ensureReady();
      try {
        await queue.addBulk(
          bulk.map(({ name, payload, options = {} }) => ({
            name,
            data: {
              payload,
              backoffMs: options.backoffMs ?? DEFAULT_BACKOFF_MS,
              ...(options.groupKey ? { groupKey: options.groupKey } : {}),
            } satisfies Envelope,
            opts: {
              jobId: options.jobId ?? randomUUID(),
              delay: options.delayMs ?? 0,
              attempts: options.attempts ?? DEFAULT_ATTEMPTS,
              backoff: { type: 'custom' },
              removeOnComplete: { count: 1_000 },
              removeOnFail: { count: 5_000 },
            },
          })),
        );
      } catch (error) {
        throw unavailable(error);
      }
    },
    process(name, handler, processOptions = {}) {
      handlers.set(name, handler as JobHandler<unknown>);
      concurrency = Math.max(concurrency, processOptions.concurrency ?? 1);
      if (worker) worker.concurrency = concurrency;
      startWorker();
    },
    async repeat(name, payload, everyMs) {
      await ensureReady();
      try {
        await queue.upsertJobScheduler(
          name,
          { every: everyMs },
          { name, data: { payload, backoffMs: DEFAULT_BACKOFF_MS }, opts: { attempts: 1 } },
        );
      } catch (error) {
        throw unavailable(error);
      }
    },
    async getJob(id) {
      let job: Job | undefined;
      await ensureReady();
      try {
        job = await queue.getJob(id);
      } catch (error) {
        throw unavailable(error);
      }
      if (!job) return undefined;
      const state = await job.getState();
      const known: Record<string, JobState['state']> = {
        waiting: 'waiting',
        prioritized: 'waiting',
        'waiting-children': 'waiting',
        delayed: 'delayed',
        active: 'active',
        completed: 'completed',
        failed: 'failed',
      };
      return {
        id,
        name: job.name,
        state: known[state] ?? 'waiting',
        attemptsMade: job.attemptsMade,
        error: job.failedReason || undefined,
      };
    },
    async ping() {
      await ensureReady();
      try {
        await producer.ping();
      } catch (error) {
        throw unavailable(error);
      }
    },
    onEvent(listener) {
      listeners.push(listener);
    },
    async close(timeoutMs = 25_000) {
      let timer: NodeJS.Timeout | undefined;
      // A worker that never reached Redis holds no job: it is closed at once, and must be,
      // as a graceful close waits for a connection that is not coming.
      const drained = worker?.close(!workerReached) ?? Promise.resolve();
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          void worker?.close(true);
          resolve();
        }, timeoutMs);
      });
      await Promise.race([drained, forced]);
      clearTimeout(timer);
      await queue.close().catch(() => {});
      workerConnection?.disconnect();
      producer.disconnect();
    },
  };
}
