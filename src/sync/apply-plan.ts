import type { BatchOperation, BatchResult, CalendarApi } from '../google/calendar-api.ts';
import { type BatchWriteOptions, isRetryablePart, type PartFate, sendInBatches } from './batch-writes.ts';
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

export interface ApplyOptions extends Omit<BatchWriteOptions, 'onProgress'> {
  /** Persist what one batch achieved before its parts count as done (crash safety). */
  commit(changes: AppliedChanges): Promise<void>;
  /**
   * After each committed batch: how many of the plan's writes are settled, of how many, and
   * the counts of what is committed so far.
   */
  onProgress?(settled: number, total: number, counts: Readonly<ApplyCounts>): Promise<void> | void;
}

type Written = Pick<ApplyCounts, 'created' | 'updated' | 'deleted'>;
/** One batch's changes, and what it wrote: counted only once committed. */
type BatchChanges = { applied: AppliedChanges; written: Written };

/** `retried`: this operation is already the fallback of another (409 → patch, 404 → insert). */
type Operation =
  | { kind: 'insert'; desired: DesiredEvent; eventId: string; retried: boolean }
  | { kind: 'patch'; desired: DesiredEvent; eventId: string; retried: boolean; created: boolean }
  | { kind: 'delete'; mapping: EventMapping };

/**
 * Sends a plan to Google through the shared write loop (`sendInBatches`: batches of at most
 * 50, up to `concurrency` at once, only failed parts sent again). A retried insert that meets
 * 409 (it landed before a crash) becomes a patch, a patch that meets 404 (the event is gone)
 * becomes an insert; a delete of an event already gone is success.
 */
export async function applyPlan(
  api: Pick<CalendarApi, 'batch'>,
  calendarId: string,
  plan: SyncPlan,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const counts: ApplyCounts = { created: 0, updated: 0, deleted: 0, unchanged: plan.unchanged, failed: 0 };
  const failures: ApplyOutcome['failures'] = [];
  const ops: Operation[] = [
    ...plan.inserts.map(
      (desired): Operation => ({
        kind: 'insert',
        desired,
        eventId: desired.eventId,
        retried: false,
      }),
    ),
    ...plan.patches.map(
      ({ desired, mapping }): Operation => ({
        kind: 'patch',
        desired,
        eventId: mapping.googleEventId,
        retried: false,
        created: false,
      }),
    ),
    ...plan.deletes.map((mapping): Operation => ({ kind: 'delete', mapping })),
  ];
  await sendInBatches(
    api,
    ops,
    {
      toOperation: (op) => toOperation(op, calendarId),
      emptyChanges: (): BatchChanges => ({
        applied: { upserts: [], deletes: [] },
        written: { created: 0, updated: 0, deleted: 0 },
      }),
      settle: (op, result, changes) => settle(op, result, calendarId, changes.applied, changes.written),
      // Counted once committed: what onProgress reports is what a resumed run will find done.
      commit: async ({ applied, written }) => {
        await options.commit(applied);
        counts.created += written.created;
        counts.updated += written.updated;
        counts.deleted += written.deleted;
      },
      giveUp: (op, failure) => {
        failures.push({
          sourceKey: op.kind === 'delete' ? op.mapping.sourceKey : op.desired.sourceKey,
          ...failure,
        });
        counts.failed += 1;
      },
    },
    { ...options, onProgress: (settled, total) => options.onProgress?.(settled, total, { ...counts }) },
  );
  return { counts, failures };
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
  counts: Written,
): PartFate<Operation> {
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
  if (isRetryablePart(result)) return op;
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
