import { and, asc, eq, gt, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import type { UserEdit } from './event-mappings-repo.ts';
import { calendarEvents, calendarSyncState, eventMappings, users } from './schema.ts';

export interface CachedEvent {
  eventId: string;
  status: string;
  summary: string | null;
  startAt: Date | null;
  endAt: Date | null;
  allDay: boolean;
  transparent: boolean;
  recurringEventId: string | null;
  etag: string | null;
  googleUpdatedAt: Date | null;
}

export interface CalendarSyncState {
  calendarId: string;
  role: 'primary' | 'app' | 'other';
  syncToken: string | null;
  timeZone: string | null;
  lastFullSyncAt: Date | null;
  lastIncrementalSyncAt: Date | null;
}

/**
 * The cache of a user's calendar events and each calendar's sync token. Every write of
 * events carries the token that covers it, in the same transaction, so a crash resumes
 * from the previous token and nothing is applied twice or lost. The primary calendar's
 * token is mirrored to the blueprint's `users.last_sync_token`. The student's edits to our
 * events found in the same listing are marked on their event mappings in that transaction
 * too, so a token is never committed without the edits it revealed.
 */
export interface CalendarCacheRepo {
  state(userId: string, calendarId: string): Promise<CalendarSyncState | undefined>;
  states(userId: string): Promise<CalendarSyncState[]>;
  /** A full sync: the calendar's cache becomes exactly `events`, atomically, with `userEdits` marked. */
  replaceCalendar(
    userId: string,
    calendar: { calendarId: string; role: CalendarSyncState['role']; timeZone: string | null },
    events: CachedEvent[],
    syncToken: string,
    userEdits?: readonly UserEdit[],
  ): Promise<void>;
  /** An incremental listing: upserts, removals, `userEdits` and the new token together. */
  applyChanges(
    userId: string,
    calendarId: string,
    changes: { upserts: CachedEvent[]; removals: string[] },
    syncToken: string,
    userEdits?: readonly UserEdit[],
  ): Promise<void>;
  /** Confirmed, opaque events overlapping [from, to) on these calendars. */
  busyEvents(
    userId: string,
    calendarIds: string[],
    from: Date,
    to: Date,
  ): Promise<Array<CachedEvent & { calendarId: string }>>;
  get(userId: string, calendarId: string, eventId: string): Promise<CachedEvent | undefined>;
  /** The cached rows of these events (those the cache has; in no particular order). */
  getMany(userId: string, calendarId: string, eventIds: readonly string[]): Promise<CachedEvent[]>;
  /** Records a zone we set on a followed calendar ourselves; nothing when it is not followed yet. */
  noteTimeZone(userId: string, calendarId: string, timeZone: string): Promise<void>;
}

export function createCalendarCacheRepo(orm: Orm): CalendarCacheRepo {
  // In slices, as the upserts are: one incremental listing may bring thousands of events, and
  // a statement has at most 65,535 parameters.
  const getMany = async (userId: string, calendarId: string, eventIds: readonly string[]) => {
    const found: CachedEvent[] = [];
    for (let i = 0; i < eventIds.length; i += 1_000) {
      const rows = await orm
        .select()
        .from(calendarEvents)
        .where(
          and(
            eq(calendarEvents.userId, userId),
            eq(calendarEvents.calendarId, calendarId),
            inArray(calendarEvents.eventId, eventIds.slice(i, i + 1_000)),
          ),
        );
      for (const { userId: _u, calendarId: _c, ...event } of rows) found.push(event);
    }
    return found;
  };
  type Tx = Parameters<Parameters<Orm['transaction']>[0]>[0];
  const upsertEvents = async (tx: Tx, userId: string, calendarId: string, events: CachedEvent[]) => {
    for (let i = 0; i < events.length; i += 400) {
      const rows = events.slice(i, i + 400).map((e) => ({ ...e, userId, calendarId }));
      await tx
        .insert(calendarEvents)
        .values(rows)
        .onConflictDoUpdate({
          target: [calendarEvents.userId, calendarEvents.calendarId, calendarEvents.eventId],
          set: {
            status: sqlExcluded('status'),
            summary: sqlExcluded('summary'),
            startAt: sqlExcluded('start_at'),
            endAt: sqlExcluded('end_at'),
            allDay: sqlExcluded('all_day'),
            transparent: sqlExcluded('transparent'),
            recurringEventId: sqlExcluded('recurring_event_id'),
            etag: sqlExcluded('etag'),
            googleUpdatedAt: sqlExcluded('google_updated_at'),
          },
        });
    }
  };
  const markUserEdits = async (tx: Tx, userId: string, calendarId: string, edits: readonly UserEdit[]) => {
    for (const edit of edits)
      await tx
        .update(eventMappings)
        .set({ userEdit: edit.edit, userEditedAt: edit.at })
        .where(
          and(
            eq(eventMappings.userId, userId),
            eq(eventMappings.calendarId, calendarId),
            eq(eventMappings.googleEventId, edit.googleEventId),
          ),
        );
  };
  const mirrorPrimaryToken = async (tx: Tx, userId: string, role: string, syncToken: string) => {
    if (role === 'primary')
      await tx.update(users).set({ lastSyncToken: syncToken }).where(eq(users.id, userId));
  };

  return {
    async state(userId, calendarId) {
      const rows = await orm
        .select()
        .from(calendarSyncState)
        .where(and(eq(calendarSyncState.userId, userId), eq(calendarSyncState.calendarId, calendarId)))
        .limit(1);
      return rows[0] ? present(rows[0]) : undefined;
    },
    async states(userId) {
      const rows = await orm
        .select()
        .from(calendarSyncState)
        .where(eq(calendarSyncState.userId, userId))
        .orderBy(asc(calendarSyncState.calendarId));
      return rows.map(present);
    },
    async replaceCalendar(userId, calendar, events, syncToken, userEdits = []) {
      await orm.transaction(async (tx) => {
        await tx
          .delete(calendarEvents)
          .where(and(eq(calendarEvents.userId, userId), eq(calendarEvents.calendarId, calendar.calendarId)));
        await upsertEvents(tx, userId, calendar.calendarId, events);
        const now = new Date();
        const values = {
          role: calendar.role,
          syncToken,
          timeZone: calendar.timeZone,
          lastFullSyncAt: now,
          updatedAt: now,
        };
        await tx
          .insert(calendarSyncState)
          .values({ userId, calendarId: calendar.calendarId, ...values })
          .onConflictDoUpdate({
            target: [calendarSyncState.userId, calendarSyncState.calendarId],
            set: values,
          });
        await markUserEdits(tx, userId, calendar.calendarId, userEdits);
        await mirrorPrimaryToken(tx, userId, calendar.role, syncToken);
      });
    },
    async noteTimeZone(userId, calendarId, timeZone) {
      await orm
        .update(calendarSyncState)
        .set({ timeZone })
        .where(and(eq(calendarSyncState.userId, userId), eq(calendarSyncState.calendarId, calendarId)));
    },
    async applyChanges(userId, calendarId, changes, syncToken, userEdits = []) {
      await orm.transaction(async (tx) => {
        if (changes.removals.length > 0) {
          await tx
            .delete(calendarEvents)
            .where(
              and(
                eq(calendarEvents.userId, userId),
                eq(calendarEvents.calendarId, calendarId),
                inArray(calendarEvents.eventId, changes.removals),
              ),
            );
        }
        await upsertEvents(tx, userId, calendarId, changes.upserts);
        const now = new Date();
        const updated = await tx
          .update(calendarSyncState)
          .set({ syncToken, lastIncrementalSyncAt: now, updatedAt: now })
          .where(and(eq(calendarSyncState.userId, userId), eq(calendarSyncState.calendarId, calendarId)))
          .returning({ role: calendarSyncState.role });
        const role = updated[0]?.role;
        if (!role) throw new Error(`no sync state for calendar ${calendarId}: run a full sync first`);
        await markUserEdits(tx, userId, calendarId, userEdits);
        await mirrorPrimaryToken(tx, userId, role, syncToken);
      });
    },
    async busyEvents(userId, calendarIds, from, to) {
      if (calendarIds.length === 0) return [];
      const rows = await orm
        .select()
        .from(calendarEvents)
        .where(
          and(
            eq(calendarEvents.userId, userId),
            inArray(calendarEvents.calendarId, calendarIds),
            ne(calendarEvents.status, 'cancelled'),
            eq(calendarEvents.transparent, false),
            lt(calendarEvents.startAt, to),
            gt(calendarEvents.endAt, from),
          ),
        )
        .orderBy(asc(calendarEvents.startAt));
      return rows.map(({ userId: _u, ...rest }) => rest);
    },
    async get(userId, calendarId, eventId) {
      return (await getMany(userId, calendarId, [eventId]))[0];
    },
    getMany,
  };
}

function present(row: typeof calendarSyncState.$inferSelect): CalendarSyncState {
  return {
    calendarId: row.calendarId,
    role: row.role,
    syncToken: row.syncToken,
    timeZone: row.timeZone,
    lastFullSyncAt: row.lastFullSyncAt,
    lastIncrementalSyncAt: row.lastIncrementalSyncAt,
  };
}

function sqlExcluded(column: string) {
  return sql.raw(`excluded.${column}`);
}
