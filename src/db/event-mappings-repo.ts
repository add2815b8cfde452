import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { eventMappings } from './schema.ts';

const sqlExcluded = (column: string): SQL => sql.raw(`excluded.${column}`);

export interface StoredMapping {
  sourceKey: string;
  calendarId: string;
  googleEventId: string;
  contentHash: string;
  googleEtag: string | null;
  /** The student moved or deleted this event in Google (seen by the calendar follow job). */
  userEdit?: 'moved' | 'deleted' | null;
}

export interface UserEdit {
  googleEventId: string;
  edit: 'moved' | 'deleted';
  at: Date;
}

/** Source item -> Google event, per user. `apply` commits a sync's outcome in one transaction. */
export interface EventMappingsRepo {
  list(userId: string, calendarId?: string): Promise<StoredMapping[]>;
  apply(userId: string, changes: { upserts: StoredMapping[]; deletes: string[] }): Promise<void>;
  /**
   * Records the student's own edits to our events. A later write of ours (`apply`) clears
   * the mark, since the event is then ours again.
   */
  recordUserEdits(userId: string, edits: readonly UserEdit[]): Promise<number>;
  /** Forgets every mapping of a calendar (it was deleted in Google: everything must be re-inserted). */
  clearCalendar(userId: string, calendarId: string): Promise<number>;
}

export function createEventMappingsRepo(orm: Orm): EventMappingsRepo {
  return {
    async list(userId, calendarId) {
      return orm
        .select({
          sourceKey: eventMappings.sourceKey,
          calendarId: eventMappings.calendarId,
          googleEventId: eventMappings.googleEventId,
          contentHash: eventMappings.contentHash,
          googleEtag: eventMappings.googleEtag,
          userEdit: eventMappings.userEdit,
        })
        .from(eventMappings)
        .where(
          calendarId
            ? and(eq(eventMappings.userId, userId), eq(eventMappings.calendarId, calendarId))
            : eq(eventMappings.userId, userId),
        );
    },
    async apply(userId, changes) {
      if (changes.upserts.length === 0 && changes.deletes.length === 0) return;
      await orm.transaction(async (tx) => {
        if (changes.deletes.length > 0) {
          await tx
            .delete(eventMappings)
            .where(and(eq(eventMappings.userId, userId), inArray(eventMappings.sourceKey, changes.deletes)));
        }
        // Chunked: one statement per 500 rows keeps parameter counts far below Postgres's limit.
        for (let i = 0; i < changes.upserts.length; i += 500) {
          const rows = changes.upserts.slice(i, i + 500).map((m) => ({
            ...m,
            userId,
            syncedAt: new Date(),
            userEdit: null,
            userEditedAt: null,
          }));
          await tx
            .insert(eventMappings)
            .values(rows)
            .onConflictDoUpdate({
              target: [eventMappings.userId, eventMappings.sourceKey],
              set: {
                calendarId: sqlExcluded('calendar_id'),
                googleEventId: sqlExcluded('google_event_id'),
                contentHash: sqlExcluded('content_hash'),
                googleEtag: sqlExcluded('google_etag'),
                syncedAt: sqlExcluded('synced_at'),
                userEdit: sqlExcluded('user_edit'),
                userEditedAt: sqlExcluded('user_edited_at'),
              },
            });
        }
      });
    },
    async recordUserEdits(userId, edits) {
      let recorded = 0;
      for (const edit of edits) {
        const rows = await orm
          .update(eventMappings)
          .set({ userEdit: edit.edit, userEditedAt: edit.at })
          .where(and(eq(eventMappings.userId, userId), eq(eventMappings.googleEventId, edit.googleEventId)))
          .returning({ key: eventMappings.sourceKey });
        recorded += rows.length;
      }
      return recorded;
    },
    async clearCalendar(userId, calendarId) {
      const deleted = await orm
        .delete(eventMappings)
        .where(and(eq(eventMappings.userId, userId), eq(eventMappings.calendarId, calendarId)))
        .returning({ key: eventMappings.sourceKey });
      return deleted.length;
    },
  };
}
