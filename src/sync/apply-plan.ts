import {
  type BatchOperation,
  type BatchResult,
  type CalendarApi,
  MAX_BATCH_SIZE,
} from '../google/calendar-api.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
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
  /** Persist what one batch achieved before the next is sent (crash safety). */
  commit(changes: AppliedChanges): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Delay before retry round `attempt` (1-based): exponential with jitter. */
  backoffMs(attempt: number): number;
  maxRounds?: number;
}

/** `retried`: this operation is already the fallback of another (409 → patch, 404 → insert). */
type Pending =
  | { kind: 'insert'; desired: DesiredEvent; eventId: string; retried: boolean }
  | { kind: 'patch'; desired: DesiredEvent; eventId: string; retried: boolean; created: boolean }
  | { kind: 'delete'; mapping: EventMapping };

/**
 * Sends a plan to Google in batches of at most 50 calls. Only failed parts are retried:
 * 5xx, 429 and rate-limit 403 after a backoff; a retried insert that meets 409 (it landed
 * before a crash) becomes a patch, a patch that meets 404 (the event is gone) becomes an
 * insert; a delete of an event already gone is success. A 401 stops the run at once:
 * the grant is dead and retrying cannot help.
 */
export async function applyPlan(
  api: Pick<CalendarApi, 'batch'>,
  calendarId: string,
  plan: SyncPlan,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const counts: ApplyCounts = { created: 0, updated: 0, deleted: 0, unchanged: plan.unchanged, failed: 0 };
  const failures: ApplyOutcome['failures'] = [];
  let pending: Pending[] = [
    ...plan.inserts.map(
      (desired): Pending => ({ kind: 'insert', desired, eventId: desired.eventId, retried: false }),
    ),
    ...plan.patches.map(
      ({ desired, mapping }): Pending => ({
        kind: 'patch',
        desired,
        eventId: mapping.googleEventId,
        retried: false,
        created: false,
      }),
    ),
    ...plan.deletes.map((mapping): Pending => ({ kind: 'delete', mapping })),
  ];
  const maxRounds = options.maxRounds ?? 6;

  for (let round = 1; pending.length > 0; round++) {
    if (round > 1) await options.sleep(options.backoffMs(round - 1));
    const retry: Pending[] = [];
    const lastRound = round >= maxRounds;
    for (let start = 0; start < pending.length; start += MAX_BATCH_SIZE) {
      const chunk = pending.slice(start, start + MAX_BATCH_SIZE);
      let results: BatchResult[];
      try {
        results = await api.batch(chunk.map((op) => toOperation(op, calendarId)));
      } catch (error) {
        if (error instanceof GoogleApiError && error.retryable && !lastRound) {
          retry.push(...chunk);
          continue;
        }
        throw error;
      }
      const changes: AppliedChanges = { upserts: [], deletes: [] };
      chunk.forEach((op, index) => {
        const result = results[index];
        if (!result) throw new Error('batch answered fewer parts than were sent');
        const next = settle(op, result, calendarId, changes, counts);
        if (next === 'auth')
          throw new GoogleApiError('auth', 401, 'authError', 'Google rejected the access token');
        if (next === 'failed' || (next !== 'done' && lastRound)) {
          const key = op.kind === 'delete' ? op.mapping.sourceKey : op.desired.sourceKey;
          const failure = result.ok
            ? { status: result.status, reason: undefined, message: 'gave up' }
            : result;
          failures.push({
            sourceKey: key,
            status: failure.status,
            reason: failure.reason,
            message: failure.message,
          });
          counts.failed += 1;
        } else if (next !== 'done') {
          retry.push(next);
        }
      });
      await options.commit(changes);
    }
    pending = retry;
  }
  return { counts, failures };
}

function toOperation(op: Pending, calendarId: string): BatchOperation {
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
  op: Pending,
  result: BatchResult,
  calendarId: string,
  changes: AppliedChanges,
  counts: ApplyCounts,
): 'done' | 'failed' | 'auth' | Pending {
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
  if (result.status === 429 || result.status >= 500) return true;
  return (
    result.status === 403 && ['rateLimitExceeded', 'userRateLimitExceeded'].includes(result.reason ?? '')
  );
}
