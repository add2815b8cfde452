import {
  type BatchOperation,
  type BatchResult,
  type CalendarApi,
  MAX_BATCH_SIZE,
} from '../google/calendar-api.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { QuotaWaitError } from '../google/request-budget.ts';

/** How the write loop paces its retries and how many batches it keeps in flight. */
export interface BatchWriteOptions {
  sleep(ms: number): Promise<void>;
  /** Delay before retry round `attempt` (1-based): exponential with jitter. */
  backoffMs(attempt: number): number;
  /** Tries of a part that keeps failing with 5xx (default 6). */
  maxRounds?: number;
  /**
   * Tries of a part Google keeps refusing for its rate (default `maxRounds`). A client paced by
   * a request budget passes Infinity: its gate waits past Google's window before each retry.
   */
  rateLimitRounds?: number;
  /** Batches in flight at once (default 1); each is committed on its own as it is answered. */
  concurrency?: number;
  /** After each committed batch: how many of the writes are settled, of how many. */
  onProgress?(settled: number, total: number): Promise<void> | void;
}

/**
 * What became of one part: done, failed for good, auth (stop the run), or the operation to
 * send again: the same one (`op` itself: a 5xx or a rate limit) or its fallback (a new value).
 */
export type PartFate<Op> = 'done' | 'failed' | 'auth' | Op;

export interface PartFailure {
  status: number;
  reason: string | undefined;
  message: string;
}

/** What a writer of one kind of event tells the loop. */
export interface BatchWriter<Op, Changes> {
  toOperation(op: Op): BatchOperation;
  /** A fresh record of what one batch achieved. */
  emptyChanges(): Changes;
  /** Reads one part's answer into `changes`. */
  settle(op: Op, result: BatchResult, changes: Changes): PartFate<Op>;
  /** Persists what one batch achieved before its parts count as done (crash safety). */
  commit(changes: Changes): Promise<void>;
  /** A part given up on (failed for good, or out of tries). */
  giveUp(op: Op, failure: PartFailure): void;
}

/** An operation with the failed tries it has had: for 5xx, and for rate limits. */
type Pending<Op> = { op: Op; failures: number; limited: number };

/**
 * Sends `ops` to Google in batches of at most 50 calls, up to `concurrency` at once, and sends
 * again only the parts that failed: 5xx, 429 and rate-limit 403 after a backoff, a fallback the
 * writer chose at once. A 401 stops the run: the grant is dead and retrying cannot help. A
 * quota wait (the request budget would hold the worker too long) sent nothing and is thrown for
 * the job to be delayed. Any error stops new batches; those in flight are answered and
 * committed before it is thrown, so a rerun resumes exactly and no part is sent twice unless
 * Google refused it. Resolves with the number of batches sent.
 */
export async function sendInBatches<Op, Changes>(
  api: Pick<CalendarApi, 'batch'>,
  ops: readonly Op[],
  writer: BatchWriter<Op, Changes>,
  options: BatchWriteOptions,
): Promise<{ batches: number }> {
  let pending: Array<Pending<Op>> = ops.map((op) => ({ op, failures: 0, limited: 0 }));
  const total = pending.length;
  let settled = 0;
  let batches = 0;
  const maxRounds = options.maxRounds ?? 6;
  const rateLimitRounds = options.rateLimitRounds ?? maxRounds;
  const exhausted = (p: Pending<Op>) => p.failures >= maxRounds || p.limited >= rateLimitRounds;
  const triedAgain = (p: Pending<Op>, limited: boolean): Pending<Op> =>
    limited ? { ...p, limited: p.limited + 1 } : { ...p, failures: p.failures + 1 };

  const sendChunk = async (chunk: Array<Pending<Op>>, retry: Array<Pending<Op>>) => {
    let results: BatchResult[];
    try {
      batches += 1;
      results = await api.batch(chunk.map((p) => writer.toOperation(p.op)));
    } catch (error) {
      // A quota wait sent nothing: the job is delayed as a whole, and resumes from the commits.
      if (error instanceof QuotaWaitError || !(error instanceof GoogleApiError && error.retryable))
        throw error;
      for (const p of chunk) {
        const tried = triedAgain(p, error.kind === 'rate_limited');
        if (exhausted(tried)) throw error;
        retry.push(tried);
      }
      return;
    }
    const changes = writer.emptyChanges();
    let done = 0;
    chunk.forEach((p, index) => {
      const result = results[index];
      if (!result) throw new Error('batch answered fewer parts than were sent');
      const next = writer.settle(p.op, result, changes);
      if (next === 'auth')
        throw new GoogleApiError('auth', 401, 'authError', 'Google rejected the access token');
      const failure = (): PartFailure =>
        result.ok
          ? { status: result.status, reason: undefined, message: 'gave up' }
          : { status: result.status, reason: result.reason, message: result.message };
      if (next === 'done') {
        done += 1;
      } else if (next === 'failed') {
        writer.giveUp(p.op, failure());
        done += 1;
      } else if (next !== p.op) {
        retry.push({ ...p, op: next });
      } else {
        const tried = triedAgain(p, !result.ok && isRateLimitPart(result));
        if (exhausted(tried)) {
          writer.giveUp(p.op, failure());
          done += 1;
        } else {
          retry.push(tried);
        }
      }
    });
    await writer.commit(changes);
    settled += done;
    await options.onProgress?.(settled, total);
  };

  for (let round = 1; pending.length > 0; round++) {
    if (round > 1) await options.sleep(options.backoffMs(round - 1));
    const retry: Array<Pending<Op>> = [];
    const chunks: Array<Array<Pending<Op>>> = [];
    for (let start = 0; start < pending.length; start += MAX_BATCH_SIZE)
      chunks.push(pending.slice(start, start + MAX_BATCH_SIZE));
    await inFlight(chunks, Math.max(1, options.concurrency ?? 1), (chunk) => sendChunk(chunk, retry));
    pending = retry;
  }
  return { batches };
}

/** A part worth sending again after a backoff: Google failed, or refused it for its rate. */
export function isRetryablePart(result: Extract<BatchResult, { ok: false }>): boolean {
  return result.status >= 500 || isRateLimitPart(result);
}

function isRateLimitPart(result: Extract<BatchResult, { ok: false }>): boolean {
  if (result.status === 429) return true;
  return (
    result.status === 403 &&
    ['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded'].includes(result.reason ?? '')
  );
}

/**
 * Runs `work` over `items`, at most `limit` at once, in order of start. The first error stops
 * new starts; the ones running are awaited, then it is thrown.
 */
async function inFlight<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (!failure && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  if (failure) throw failure.error;
}
