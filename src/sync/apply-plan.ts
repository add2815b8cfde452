import {
  type BatchOperation,
  type BatchResult,
  type CalendarApi,
  MAX_BATCH_SIZE,
} from '../google/calendar-api.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { QuotaWaitError } from '../google/request-budget.ts';
import type { DesiredEvent } from './desired-events.ts';
import type { EventMapping, SyncPlan } from './diff.ts';

export interface AppliedChanges {
  upserts: Array<EventMapping & { calendarId: string; googleEtag: string | null }>;
  deletes: string[];
}

export type ApplyCounts = {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  failed: number;
};

export interface ApplyOutcome {
  counts: ApplyCounts;
  failures: Array<{ sourceKey: string; status: number; reason: string | undefined; message: string }>;
}

export interface ApplyOptions {
  /** Persist what one batch achieved before its parts count as done (crash safety). */
  commit(changes: AppliedChanges): Promise<void>;
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
  /**
   * After each committed batch: how many of the plan's writes are settled, of how many, and
   * the counts of what is committed so far.
   */
  onProgress?(settled: number, total: number, counts: Readonly<ApplyCounts>): Promise<void> | void;
}

/** `retried`: this operation is already the fallback of another (409 → patch, 404 → insert). */
type Operation =
  | { kind: 'insert'; desired: DesiredEvent; eventId: string; retried: boolean }
  | { kind: 'patch'; desired: DesiredEvent; eventId: string; retried: boolean; created: boolean }
  | { kind: 'delete'; mapping: EventMapping };

/** An operation with the failed tries it has had: for 5xx, and for rate limits. */
type Pending = Operation & { failures: number; limited: number };

/**
 * Sends a plan to Google in batches of at most 50 calls, up to `concurrency` at once. Only
 * failed parts are retried: 5xx, 429 and rate-limit 403 after a backoff; a retried insert that
 * meets 409 (it landed before a crash) becomes a patch, a patch that meets 404 (the event is
 * gone) becomes an insert; a delete of an event already gone is success. A 401 stops the run at
 * once: the grant is dead and retrying cannot help. Any error stops new batches; those in
 * flight are answered and committed before it is thrown, so a rerun resumes exactly and no
 * part is sent twice unless Google refused it.
 */
export async function applyPlan(
  api: Pick<CalendarApi, 'batch'>,
  calendarId: string,
  plan: SyncPlan,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const counts: ApplyCounts = { created: 0, updated: 0, deleted: 0, unchanged: plan.unchanged, failed: 0 };
  const failures: ApplyOutcome['failures'] = [];
  const fresh = (op: Operation): Pending => ({ ...op, failures: 0, limited: 0 });
  let pending: Pending[] = [
    ...plan.inserts.map((desired) =>
      fresh({ kind: 'insert', desired, eventId: desired.eventId, retried: false }),
    ),
    ...plan.patches.map(({ desired, mapping }) =>
      fresh({ kind: 'patch', desired, eventId: mapping.googleEventId, retried: false, created: false }),
    ),
    ...plan.deletes.map((mapping) => fresh({ kind: 'delete', mapping })),
  ];
  const total = pending.length;
  let settled = 0;
  const maxRounds = options.maxRounds ?? 6;
  const rateLimitRounds = options.rateLimitRounds ?? maxRounds;
  const exhausted = (op: Pending) => op.failures >= maxRounds || op.limited >= rateLimitRounds;
  const giveUp = (op: Pending, failure: { status: number; reason: string | undefined; message: string }) => {
    failures.push({
      sourceKey: op.kind === 'delete' ? op.mapping.sourceKey : op.desired.sourceKey,
      status: failure.status,
      reason: failure.reason,
      message: failure.message,
    });
    counts.failed += 1;
  };

  const sendChunk = async (chunk: Pending[], retry: Pending[]) => {
    let results: BatchResult[];
    try {
      results = await api.batch(chunk.map((op) => toOperation(op, calendarId)));
    } catch (error) {
      // A quota wait sent nothing: the job is delayed as a whole, and resumes from the commits.
      if (error instanceof QuotaWaitError || !(error instanceof GoogleApiError && error.retryable))
        throw error;
      const limited = error.kind === 'rate_limited';
      for (const op of chunk) {
        const tried = limited ? { ...op, limited: op.limited + 1 } : { ...op, failures: op.failures + 1 };
        if (exhausted(tried)) throw error;
        retry.push(tried);
      }
      return;
    }
    const changes: AppliedChanges = { upserts: [], deletes: [] };
    // Counted once committed: what onProgress reports is what a resumed run will find done.
    const written = { created: 0, updated: 0, deleted: 0 };
    let done = 0;
    chunk.forEach((op, index) => {
      const result = results[index];
      if (!result) throw new Error('batch answered fewer parts than were sent');
      const next = settle(op, result, calendarId, changes, written);
      if (next === 'auth')
        throw new GoogleApiError('auth', 401, 'authError', 'Google rejected the access token');
      if (next === 'done') {
        done += 1;
      } else if (next === 'failed') {
        giveUp(op, result.ok ? { status: result.status, reason: undefined, message: 'gave up' } : result);
        done += 1;
      } else {
        const limited = !result.ok && isRateLimit(result);
        const tried: Pending =
          next === op
            ? limited
              ? { ...op, limited: op.limited + 1 }
              : { ...op, failures: op.failures + 1 }
            : { ...next, failures: op.failures, limited: op.limited };
        if (next === op && exhausted(tried)) {
          giveUp(op, result.ok ? { status: result.status, reason: undefined, message: 'gave up' } : result);
          done += 1;
        } else {
          retry.push(tried);
        }
      }
    });
    await options.commit(changes);
    counts.created += written.created;
    counts.updated += written.updated;
    counts.deleted += written.deleted;
    settled += done;
    await options.onProgress?.(settled, total, { ...counts });
  };

  for (let round = 1; pending.length > 0; round++) {
    if (round > 1) await options.sleep(options.backoffMs(round - 1));
    const retry: Pending[] = [];
    const chunks: Pending[][] = [];
    for (let start = 0; start < pending.length; start += MAX_BATCH_SIZE)
      chunks.push(pending.slice(start, start + MAX_BATCH_SIZE));
    await inFlight(chunks, Math.max(1, options.concurrency ?? 1), (chunk) => sendChunk(chunk, retry));
    pending = retry;
  }
  return { counts, failures };
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

function toOperation(op: Operation, calendarId: string): BatchOperation {
  switch (op.kind) {
    case 'insert':
      return { kind: 'insert', calendarId, event: op.desired.body };
    case 'patch':
      // status is sent so that an event the user deleted (cancelled in Google) comes back.
      return {
        kind: 'patch',
        calendarId,
        eventId: op.eventId,
        event: { ...op.desired.body, id: op.eventId, status: 'confirmed' },
      };
    case 'delete':
      return { kind: 'delete', calendarId, eventId: op.mapping.googleEventId };
  }
}

/** What became of one part: done, failed for good, auth (stop), or the operation to retry. */
function settle(
  op: Operation,
  result: BatchResult,
  calendarId: string,
  changes: AppliedChanges,
  counts: Pick<ApplyCounts, 'created' | 'updated' | 'deleted'>,
): 'done' | 'failed' | 'auth' | Operation {
  if (result.ok) {
    if (op.kind === 'delete') {
      changes.deletes.push(op.mapping.sourceKey);
      counts.deleted += 1;
    } else {
      const { desired, eventId } = op;
      changes.upserts.push({
        sourceKey: desired.sourceKey,
        googleEventId: eventId,
        contentHash: desired.contentHash,
        calendarId,
        googleEtag: result.etag ?? null,
      });
      // A patch standing in for an insert that had already landed still created the event.
      if (op.kind === 'insert' || op.created) counts.created += 1;
      else counts.updated += 1;
    }
    return 'done';
  }
  if (result.status === 401) return 'auth';
  if (isRetryable(result)) return op;
  if (op.kind === 'delete' && (result.status === 404 || result.status === 410)) {
    changes.deletes.push(op.mapping.sourceKey);
    counts.deleted += 1;
    return 'done';
  }
  if (op.kind === 'insert' && result.status === 409 && !op.retried) {
    return { kind: 'patch', desired: op.desired, eventId: op.eventId, retried: true, created: true };
  }
  if (op.kind === 'patch' && (result.status === 404 || result.status === 410) && !op.retried) {
    return { kind: 'insert', desired: op.desired, eventId: op.desired.eventId, retried: true };
  }
  return 'failed';
}

function isRetryable(result: Extract<BatchResult, { ok: false }>): boolean {
  return result.status >= 500 || isRateLimit(result);
}

function isRateLimit(result: Extract<BatchResult, { ok: false }>): boolean {
  if (result.status === 429) return true;
  return (
    result.status === 403 &&
    ['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded'].includes(result.reason ?? '')
  );
}
