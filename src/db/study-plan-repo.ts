import { and, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { studyPlanState, studySessions } from './schema.ts';

export type SessionStatus = 'planned' | 'pinned' | 'dropped';

/** One study session CanvasCal wrote (or the student's verdict on one). */
export interface StoredSession {
  id: string;
  deadlineKey: string;
  /** The deadline's n-th session: the stable part of the event id, kept across moves. */
  slotKey: string;
  start: Date;
  end: Date;
  status: SessionStatus;
  googleEventId: string;
  calendarId: string | null;
  googleEtag: string | null;
  fingerprint: string | null;
  /** The student renamed it (title or description): repairs leave their words alone. */
  titledByStudent: boolean;
}

export interface StudyPlanState {
  calendarId: string | null;
  syncToken: string | null;
  lastRepair: Record<string, unknown> | null;
}

/** Study sessions and the per-user study calendar state. Writes of one call are one transaction. */
export interface StudyPlanRepo {
  listSessions(userId: string): Promise<StoredSession[]>;
  /** Upserts by (user, deadline, slot) and deletes by id, atomically. */
  saveSessions(
    userId: string,
    changes: { upserts: readonly StoredSession[]; deletes: readonly string[] },
  ): Promise<void>;
  /** Forgets what was written to a calendar that is gone; the student's drops stay. */
  forgetWritten(userId: string): Promise<number>;
  getState(userId: string): Promise<StudyPlanState>;
  setState(userId: string, changes: Partial<StudyPlanState>): Promise<void>;
  /** Adds a trigger to the user's pending ones (once each); atomic. */
  noteTrigger(userId: string, trigger: string): Promise<void>;
  /** The pending triggers, cleared in the same transaction: each is taken by one repair. */
  takeTriggers(userId: string): Promise<string[]>;
}

export function createStudyPlanRepo(orm: Orm): StudyPlanRepo {
  return {
    async listSessions(userId) {
      const rows = await orm
        .select()
        .from(studySessions)
        .where(eq(studySessions.userId, userId))
        .orderBy(studySessions.startAt, studySessions.deadlineKey, studySessions.slotKey);
      return rows.map((row) => ({
        id: row.id,
        deadlineKey: row.deadlineKey,
        slotKey: row.slotKey,
        start: row.startAt,
        end: row.endAt,
        status: row.status,
        googleEventId: row.googleEventId ?? '',
        calendarId: row.calendarId,
        googleEtag: row.googleEtag,
        fingerprint: row.fingerprint,
        titledByStudent: row.titledByStudent,
      }));
    },
    async saveSessions(userId, changes) {
      if (changes.upserts.length === 0 && changes.deletes.length === 0) return;
      await orm.transaction(async (tx) => {
        if (changes.deletes.length > 0)
          await tx
            .delete(studySessions)
            .where(and(eq(studySessions.userId, userId), inArray(studySessions.id, [...changes.deletes])));
        if (changes.upserts.length === 0) return;
        await tx
          .insert(studySessions)
          .values(
            changes.upserts.map((s) => ({
              id: s.id,
              userId,
              deadlineKey: s.deadlineKey,
              slotKey: s.slotKey,
              startAt: s.start,
              endAt: s.end,
              status: s.status,
              googleEventId: s.googleEventId,
              calendarId: s.calendarId,
              googleEtag: s.googleEtag,
              fingerprint: s.fingerprint,
              titledByStudent: s.titledByStudent,
            })),
          )
          .onConflictDoUpdate({
            target: [studySessions.userId, studySessions.deadlineKey, studySessions.slotKey],
            set: {
              startAt: sql.raw('excluded.start_at'),
              endAt: sql.raw('excluded.end_at'),
              status: sql.raw('excluded.status'),
              googleEventId: sql.raw('excluded.google_event_id'),
              calendarId: sql.raw('excluded.calendar_id'),
              googleEtag: sql.raw('excluded.google_etag'),
              fingerprint: sql.raw('excluded.fingerprint'),
              titledByStudent: sql.raw('excluded.titled_by_student'),
              updatedAt: new Date(),
            },
          });
      });
    },
    async forgetWritten(userId) {
      const gone = await orm
        .delete(studySessions)
        .where(and(eq(studySessions.userId, userId), ne(studySessions.status, 'dropped')))
        .returning({ id: studySessions.id });
      return gone.length;
    },
    async getState(userId) {
      const rows = await orm.select().from(studyPlanState).where(eq(studyPlanState.userId, userId)).limit(1);
      const row = rows[0];
      return {
        calendarId: row?.calendarId ?? null,
        syncToken: row?.syncToken ?? null,
        lastRepair: row?.lastRepair ?? null,
      };
    },
    async setState(userId, changes) {
      const set = {
        ...(changes.calendarId !== undefined ? { calendarId: changes.calendarId } : {}),
        ...(changes.syncToken !== undefined ? { syncToken: changes.syncToken } : {}),
        ...(changes.lastRepair !== undefined ? { lastRepair: changes.lastRepair } : {}),
        updatedAt: new Date(),
      };
      await orm
        .insert(studyPlanState)
        .values({ userId, ...set })
        .onConflictDoUpdate({ target: studyPlanState.userId, set });
    },
    async noteTrigger(userId, trigger) {
      const pending = studyPlanState.pendingTriggers;
      await orm
        .insert(studyPlanState)
        .values({ userId, pendingTriggers: [trigger] })
        .onConflictDoUpdate({
          target: studyPlanState.userId,
          set: {
            pendingTriggers: sql`case when ${trigger}::text = any(${pending}) then ${pending} else array_append(${pending}, ${trigger}::text) end`,
          },
        });
    },
    async takeTriggers(userId) {
      return orm.transaction(async (tx) => {
        const rows = await tx
          .select({ pending: studyPlanState.pendingTriggers })
          .from(studyPlanState)
          .where(eq(studyPlanState.userId, userId))
          .for('update');
        const pending = rows[0]?.pending ?? [];
        if (pending.length > 0)
          await tx
            .update(studyPlanState)
            .set({ pendingTriggers: [] })
            .where(eq(studyPlanState.userId, userId));
        return pending;
      });
    },
  };
}
