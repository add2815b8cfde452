import { randomUUID } from 'node:crypto';
import type { StoredSession } from '../db/study-plan-repo.ts';
import {
  type BatchOperation,
  type BatchResult,
  type CalendarApi,
  MAX_BATCH_SIZE,
} from '../google/calendar-api.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import type { DesiredSession } from './session-event.ts';

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

export interface WriteOptions {
  /** Persists what one batch achieved before the next is sent (crash safety). */
  commit(changes: { upserts: StoredSession[]; deletes: string[] }): Promise<void>;
  sleep(ms: number): Promise<void>;
  /** Pause before retry round `attempt` (1-based). */
  backoffMs(attempt: number): number;
  maxRounds?: number;
}

type Op =
  | { kind: 'insert'; desired: DesiredSession; row: StoredSession | undefined }
  | { kind: 'patch'; desired: DesiredSession; row: StoredSession; ifMatch: string | undefined }
  | { kind: 'delete'; row: StoredSession };

/**
 * Makes the study calendar hold exactly `desired` among the rows in `written` (the planned
 * sessions CanvasCal may change; pinned, dropped and past ones are not passed in): an equal
 * fingerprint sends nothing, a changed one is a patch, a new slot an insert, a written slot
 * not desired a delete. Batches of at most 50. Patches and deletes carry the stored etag
 * (`If-Match`): a 412 means the student edited that event a moment ago, so it is left alone
 * and reported in `conflicts` for the caller to re-read and re-plan around. 5xx, 429 and
 * rate-limit 403 are retried after a backoff; a retried insert that meets 409 becomes a patch.
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
  let pending: Op[] = [];
  for (const session of desired) {
    const row = bySlot.get(`${session.deadlineId}\n${session.slotKey}`);
    if (row) wanted.add(row);
    if (row && row.fingerprint === session.fingerprint && row.calendarId === calendarId)
      outcome.unchanged += 1;
    else if (row && row.calendarId === calendarId)
      pending.push({ kind: 'patch', desired: session, row, ifMatch: row.googleEtag ?? undefined });
    else pending.push({ kind: 'insert', desired: session, row });
  }
  for (const row of written)
    if (!wanted.has(row) && row.calendarId === calendarId) pending.push({ kind: 'delete', row });
  const maxRounds = options.maxRounds ?? 5;
  for (let round = 1; pending.length > 0; round++) {
    if (round > 1) await options.sleep(options.backoffMs(round - 1));
    const lastRound = round >= maxRounds;
    const retry: Op[] = [];
    for (let at = 0; at < pending.length; at += MAX_BATCH_SIZE) {
      const chunk = pending.slice(at, at + MAX_BATCH_SIZE);
      let results: BatchResult[];
      try {
        outcome.batches += 1;
        results = await api.batch(chunk.map((op) => toOperation(op, calendarId)));
      } catch (error) {
        if (error instanceof GoogleApiError && error.retryable && !lastRound) {
          retry.push(...chunk);
          continue;
        }
        throw error;
      }
      const changes = { upserts: [] as StoredSession[], deletes: [] as string[] };
      chunk.forEach((op, index) => {
        const result = results[index];
        if (!result) throw new Error('batch answered fewer parts than were sent');
        const next = settle(op, result, calendarId, changes, outcome);
        if (next === 'auth')
          throw new GoogleApiError('auth', 401, 'authError', 'Google rejected the access token');
        if (next === 'done') return;
        if (next === 'failed' || lastRound) {
          const eventId = op.kind === 'delete' ? op.row.googleEventId : op.desired.eventId;
          outcome.failed.push({
            eventId,
            status: result.status,
            message: result.ok ? 'gave up' : result.message,
          });
        } else retry.push(next);
      });
      await options.commit(changes);
    }
    pending = retry;
  }
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
        event: { ...op.desired.body, status: 'confirmed' },
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
  changes: { upserts: StoredSession[]; deletes: string[] },
  outcome: WriteOutcome,
): 'done' | 'failed' | 'auth' | Op {
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
  if (result.status === 429 || result.status >= 500) return op;
  if (result.status === 403 && ['rateLimitExceeded', 'userRateLimitExceeded'].includes(result.reason ?? ''))
    return op;
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
  };
}
