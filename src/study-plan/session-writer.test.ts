import { describe, expect, it } from 'vitest';
import type { StoredSession } from '../db/study-plan-repo.ts';
import type { BatchOperation, BatchResult, CalendarApi } from '../google/calendar-api.ts';
import { desiredSessionEvent } from './session-event.ts';
import { writeSessions } from './session-writer.ts';

const CAL = 'study-cal';
const deadline = { title: 'Essay', course: 'ENG 1', dueAt: null, htmlUrl: null };
const desired = (slotKey: string, hour: number) =>
  desiredSessionEvent(
    {
      deadlineId: 'a',
      slotKey,
      start: `2027-03-01T${hour}:00:00.000Z`,
      end: `2027-03-01T${hour + 1}:00:00.000Z`,
    },
    deadline,
    { userId: 'u', timeZone: 'UTC' },
  );
const stored = (d: ReturnType<typeof desired>, etag: string): StoredSession => ({
  id: `row-${d.slotKey}`,
  deadlineKey: d.deadlineId,
  slotKey: d.slotKey,
  start: new Date(d.start),
  end: new Date(d.end),
  status: 'planned',
  googleEventId: d.eventId,
  calendarId: CAL,
  googleEtag: etag,
  fingerprint: d.fingerprint,
  titledByStudent: false,
});

/** A batch endpoint that answers from a script, recording what it was sent. */
function scriptedApi(answer: (op: BatchOperation, call: number) => BatchResult) {
  const sent: BatchOperation[][] = [];
  const api: Pick<CalendarApi, 'batch'> = {
    async batch(ops) {
      sent.push([...ops]);
      return ops.map((op) => answer(op, sent.length));
    },
  };
  return { api, sent };
}
const ok = (etag: string): BatchResult => ({ ok: true, status: 200, etag });
const options = (commits: Array<{ upserts: StoredSession[]; deletes: string[] }>) => ({
  commit: async (c: { upserts: StoredSession[]; deletes: string[] }) => {
    commits.push(c);
  },
  sleep: async () => {},
  backoffMs: () => 0,
});

describe('writeSessions', () => {
  it('sends nothing for an unchanged plan, and one patch under If-Match for a moved session', async () => {
    const s1 = desired('s1', 16);
    const s2 = desired('s2', 18);
    const { api, sent } = scriptedApi(() => ok('"new"'));
    const same = await writeSessions(
      api,
      CAL,
      [s1, s2],
      [stored(s1, '"e1"'), stored(s2, '"e2"')],
      options([]),
    );
    expect(sent).toEqual([]);
    expect(same.unchanged).toBe(2);
    const moved = desired('s2', 20);
    const commits: Array<{ upserts: StoredSession[]; deletes: string[] }> = [];
    const outcome = await writeSessions(
      api,
      CAL,
      [s1, moved],
      [stored(s1, '"e1"'), stored(s2, '"e2"')],
      options(commits),
    );
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject([{ kind: 'patch', eventId: s2.eventId, ifMatch: '"e2"' }]);
    expect(outcome).toMatchObject({ moved: 1, added: 0, removed: 0, conflicts: [] });
    expect(commits[0]?.upserts[0]).toMatchObject({
      id: 'row-s2',
      googleEtag: '"new"',
      fingerprint: moved.fingerprint,
    });
  });

  it('leaves an event that answers 412 alone and reports it; retries a 503; a retried insert meeting 409 becomes a patch', async () => {
    const s1 = desired('s1', 16);
    const s2 = desired('s2', 18);
    const s3 = desired('s3', 20);
    const commits: Array<{ upserts: StoredSession[]; deletes: string[] }> = [];
    const { api, sent } = scriptedApi((op, call) => {
      if (op.kind === 'patch' && op.eventId === s1.eventId)
        return { ok: false, status: 412, reason: 'conditionNotMet', message: 'Precondition Failed' };
      if (op.kind === 'insert' && call === 1)
        return { ok: false, status: 503, reason: 'backendError', message: 'x' };
      if (op.kind === 'insert') return { ok: false, status: 409, reason: 'duplicate', message: 'exists' };
      return ok('"ok"');
    });
    const outcome = await writeSessions(
      api,
      CAL,
      [desired('s1', 17), s3],
      [stored(s1, '"e1"'), stored(s2, '"e2"')],
      options(commits),
    );
    expect(outcome.conflicts).toEqual([s1.eventId]);
    expect(outcome).toMatchObject({ removed: 1, failed: [] });
    // Round 1: patch s1 (412), insert s3 (503), delete s2; round 2: insert s3 (409); round 3: patch s3.
    expect(sent.map((ops) => ops.map((op) => op.kind))).toEqual([
      ['patch', 'insert', 'delete'],
      ['insert'],
      ['patch'],
    ]);
    expect(sent[2]?.[0]).not.toHaveProperty('ifMatch');
    const written = commits.flatMap((c) => c.upserts);
    expect(written.map((u) => u.slotKey)).toEqual(['s3']);
  });
});
