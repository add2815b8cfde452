import { randomUUID } from 'node:crypto';
import type { StoredSession } from '../db/study-plan-repo.ts';
import type { BatchOperation, BatchResult, CalendarApi } from '../google/calendar-api.ts';
import {
  type BatchWriteOptions,
  isRetryablePart,
  type PartFate,
  sendInBatches,
} from '../sync/batch-writes.ts';
import { type DesiredSession, withoutWords } from './session-event.ts';

/** What one write of a plan did. */
export interface WriteOutcome {
  added: number;
  moved: number;
  removed: number;
  unchanged: number;
  /** Event ids whose write met 412: the student changed them since we last looked. */
  conflicts: string[];
  failed: Array<{ eventId: string; status: number; message: string }>;
  batches: number;
}

export interface WriteOptions extends BatchWriteOptions {
  /** Persists what one batch achieved before its parts count as done (crash safety). */
  commit(changes: SessionChanges): Promise<void>;
}

export interface SessionChanges {
  upserts: StoredSession[];
  deletes: string[];
}

type Op =
  | { kind: 'insert'; desired: DesiredSession; row: StoredSession | undefined }
  | { kind: 'patch'; desired: DesiredSession; row: StoredSession; ifMatch: string | undefined }
  | { kind: 'delete'; row: StoredSession };

/**
 * Makes the study calendar hold exactly `desired` among the rows in `written` (the planned
 * sessions CanvasCal may change; pinned, dropped and past ones are not passed in): an equal
 * fingerprint sends nothing, a changed one is a patch, a new slot an insert, a written slot
 * not desired a delete. Sent through the deadline sync's write loop (`sendInBatches`), so the
 * request budget paces it and up to `concurrency` batches are in flight. Patches and deletes
 * carry the stored etag (`If-Match`): a 412 means the student edited that event a moment ago,
 * so it is left alone and reported in `conflicts` for the caller to re-read and re-plan
 * around. A retried insert that meets 409 becomes a patch.
 */
export async function writeSessions(
  api: Pick<CalendarApi, 'batch'>,
  calendarId: string,
  desired: readonly DesiredSession[],
  written: readonly StoredSession[],
  options: WriteOptions,
): Promise<WriteOutcome> {
  const outcome: WriteOutcome = {
    added: 0,
    moved: 0,
    removed: 0,
    unchanged: 0,
    conflicts: [],
    failed: [],
    batches: 0,
  };
  const bySlot = new Map(written.map((row) => [`${row.deadlineKey}\n${row.slotKey}`, row]));
  const wanted = new Set<StoredSession>();
  const ops: Op[] = [];
  for (const session of desired) {
    const row = bySlot.get(`${session.deadlineId}\n${session.slotKey}`);
    if (row) wanted.add(row);
    if (row && row.fingerprint === session.fingerprint && row.calendarId === calendarId)
      outcome.unchanged += 1;
    else if (row && row.calendarId === calendarId)
      ops.push({ kind: 'patch', desired: session, row, ifMatch: row.googleEtag ?? undefined });
    else ops.push({ kind: 'insert', desired: session, row });
  }
  for (const row of written)
    if (!wanted.has(row) && row.calendarId === calendarId) ops.push({ kind: 'delete', row });
  const { batches } = await sendInBatches(
    api,
    ops,
    {
      toOperation: (op) => toOperation(op, calendarId),
      emptyChanges: (): SessionChanges => ({ upserts: [], deletes: [] }),
      settle: (op, result, changes) => settle(op, result, calendarId, changes, outcome),
      commit: (changes) => options.commit(changes),
      giveUp: (op, failure) =>
        outcome.failed.push({
          eventId: op.kind === 'delete' ? op.row.googleEventId : op.desired.eventId,
          status: failure.status,
          message: failure.message,
        }),
    },
    { ...options, maxRounds: options.maxRounds ?? 5 },
  );
  outcome.batches = batches;
  return outcome;
}

function toOperation(op: Op, calendarId: string): BatchOperation {
  switch (op.kind) {
    case 'insert':
      return { kind: 'insert', calendarId, event: { ...op.desired.body, id: op.desired.eventId } };
    case 'patch':
      return {
        kind: 'patch',
        calendarId,
        eventId: op.desired.eventId,
        // A session the student renamed keeps their words: only its times (and ours) are sent.
        event: {
          ...(op.row.titledByStudent ? withoutWords(op.desired.body) : op.desired.body),
          status: 'confirmed',
        },
        ...(op.ifMatch ? { ifMatch: op.ifMatch } : {}),
      };
    case 'delete':
      return {
        kind: 'delete',
        calendarId,
        eventId: op.row.googleEventId,
        ...(op.row.googleEtag ? { ifMatch: op.row.googleEtag } : {}),
      };
  }
}

function settle(
  op: Op,
  result: BatchResult,
  calendarId: string,
  changes: SessionChanges,
  outcome: WriteOutcome,
): PartFate<Op> {
  if (result.ok) {
    if (op.kind === 'delete') {
      changes.deletes.push(op.row.id);
      outcome.removed += 1;
      return 'done';
    }
    const { desired } = op;
    changes.upserts.push({
      id: op.row?.id ?? randomUUID(),
      deadlineKey: desired.deadlineId,
      slotKey: desired.slotKey,
      start: new Date(desired.start),
      end: new Date(desired.end),
      status: 'planned',
      googleEventId: desired.eventId,
      calendarId,
      googleEtag: result.etag ?? null,
      fingerprint: desired.fingerprint,
      // An insert writes our words again (the event was gone); a patch keeps the student's.
      titledByStudent: op.kind === 'patch' && op.row.titledByStudent,
    });
    if (op.kind === 'insert' && op.row === undefined) outcome.added += 1;
    else outcome.moved += 1;
    return 'done';
  }
  if (result.status === 401) return 'auth';
  if (result.status === 412) {
    outcome.conflicts.push(op.kind === 'delete' ? op.row.googleEventId : op.desired.eventId);
    return 'done';
  }
  if (isRetryablePart(result)) return op;
  if (op.kind === 'delete' && (result.status === 404 || result.status === 410)) {
    changes.deletes.push(op.row.id);
    outcome.removed += 1;
    return 'done';
  }
  // A lost insert landed after all: write over it (it is ours, nobody has seen it yet).
  if (op.kind === 'insert' && result.status === 409) {
    return {
      kind: 'patch',
      desired: op.desired,
      row: op.row ?? lostRow(op.desired, calendarId),
      ifMatch: undefined,
    };
  }
  return 'failed';
}

function lostRow(desired: DesiredSession, calendarId: string): StoredSession {
  return {
    id: randomUUID(),
    deadlineKey: desired.deadlineId,
    slotKey: desired.slotKey,
    start: new Date(desired.start),
    end: new Date(desired.end),
    status: 'planned',
    googleEventId: desired.eventId,
    calendarId,
    googleEtag: null,
    fingerprint: null,
    titledByStudent: false,
  };
}
