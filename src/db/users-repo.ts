import { and, eq, ne, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { type GoogleCalendarSettings, userProfiles, users } from './schema.ts';

export interface UserRecord {
  id: string;
  email: string | null;
  timeZone: string;
  hasGoogleToken: boolean;
}

/** The zone a new profile starts with, until the student's accounts or the student say otherwise. */
export const PLACEHOLDER_TIME_ZONE = 'UTC';

/** Users, as the blueprint's `users` table plus `user_profiles`. Every method is scoped to one user id. */
export interface UsersRepo {
  /** Creates the user (and profile) if missing; idempotent and safe under concurrent calls. */
  ensure(id: string, email: string | undefined): Promise<void>;
  get(id: string): Promise<UserRecord | undefined>;
  setTimeZone(id: string, timeZone: string): Promise<void>;
  /** The profile's zone, and whether the student chose it (PUT /settings/planner): then nothing else may change it. */
  getTimeZone(id: string): Promise<{ timeZone: string; chosen: boolean } | undefined>;
  /**
   * Takes a zone from the student's accounts (Google, Canvas) unless the student chose one;
   * atomic, so a concurrent PUT /settings/planner always wins. True when the zone changed.
   */
  adoptTimeZone(id: string, timeZone: string): Promise<boolean>;
  getPlannerPreferences(id: string): Promise<Record<string, unknown>>;
  /** The blueprint's settings JSON (preferred calendars, watch expiration, error count). */
  getCalendarSettings(id: string): Promise<GoogleCalendarSettings>;
  setPreferredCalendars(id: string, calendarIds: string[]): Promise<void>;
  /** Stores validated preferences; their time zone becomes the user's time zone. */
  setPlannerPreferences(
    id: string,
    preferences: Record<string, unknown> & { timeZone: string },
  ): Promise<void>;
  /** Bumps (failure) or clears (success) `google_calendar_settings.sync_error_count`; returns the new count. */
  recordSyncOutcome(id: string, succeeded: boolean): Promise<number>;
  /**
   * Deletes the user and, through the schema's `on delete cascade`, every row about them, in
   * one statement (so one transaction: all or nothing). Idempotent: false when nothing was left.
   */
  delete(id: string): Promise<boolean>;
}

export function createUsersRepo(orm: Orm): UsersRepo {
  return {
    async ensure(id, email) {
      await orm.transaction(async (tx) => {
        // A second Supabase identity may arrive with an email another row already holds;
        // the id is what matters, so such a user is stored without the duplicate email.
        const taken = email
          ? (await tx.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1))[0]
          : undefined;
        await tx
          .insert(users)
          .values({ id, email: taken && taken.id !== id ? null : (email ?? null) })
          .onConflictDoNothing({ target: users.id });
        await tx
          .insert(userProfiles)
          .values({ userId: id, timeZone: PLACEHOLDER_TIME_ZONE, plannerPreferences: {} })
          .onConflictDoNothing();
      });
    },
    async delete(id) {
      const rows = await orm.delete(users).where(eq(users.id, id)).returning({ id: users.id });
      return rows.length > 0;
    },
    async get(id) {
      const rows = await orm
        .select({
          id: users.id,
          email: users.email,
          timeZone: userProfiles.timeZone,
          hasGoogleToken: sql<boolean>`${users.encryptedRefreshToken} is not null`,
        })
        .from(users)
        .leftJoin(userProfiles, eq(userProfiles.userId, users.id))
        .where(eq(users.id, id))
        .limit(1);
      const row = rows[0];
      if (!row) return undefined;
      return {
        id: row.id,
        email: row.email,
        timeZone: row.timeZone ?? PLACEHOLDER_TIME_ZONE,
        hasGoogleToken: Boolean(row.hasGoogleToken),
      };
    },
    async recordSyncOutcome(id, succeeded) {
      const count = succeeded
        ? sql`0`
        : sql`coalesce((${users.googleCalendarSettings}->>'sync_error_count')::int, 0) + 1`;
      const rows = await orm
        .update(users)
        .set({
          googleCalendarSettings: sql`jsonb_set(coalesce(${users.googleCalendarSettings}, '{}'::jsonb), '{sync_error_count}', to_jsonb(${count}))`,
        })
        .where(eq(users.id, id))
        .returning({ settings: users.googleCalendarSettings });
      return rows[0]?.settings?.sync_error_count ?? 0;
    },
    async getCalendarSettings(id) {
      const rows = await orm
        .select({ settings: users.googleCalendarSettings })
        .from(users)
        .where(eq(users.id, id))
        .limit(1);
      const settings = rows[0]?.settings;
      return {
        preferred_calendars: settings?.preferred_calendars ?? ['primary'],
        watch_expiration: settings?.watch_expiration ?? null,
        sync_error_count: settings?.sync_error_count ?? 0,
      };
    },
    async setPreferredCalendars(id, calendarIds) {
      await orm
        .update(users)
        .set({
          googleCalendarSettings: sql`jsonb_set(coalesce(${users.googleCalendarSettings}, '{}'::jsonb), '{preferred_calendars}', ${JSON.stringify(calendarIds)}::jsonb)`,
        })
        .where(eq(users.id, id));
    },
    async getPlannerPreferences(id) {
      const rows = await orm
        .select({ preferences: userProfiles.plannerPreferences, timeZone: userProfiles.timeZone })
        .from(userProfiles)
        .where(eq(userProfiles.userId, id))
        .limit(1);
      const row = rows[0];
      return row ? { timeZone: row.timeZone, ...row.preferences } : {};
    },
    async setPlannerPreferences(id, preferences) {
      await orm
        .update(userProfiles)
        .set({ plannerPreferences: preferences, timeZone: preferences.timeZone, updatedAt: new Date() })
        .where(eq(userProfiles.userId, id));
    },
    async getTimeZone(id) {
      const rows = await orm
        .select({
          timeZone: userProfiles.timeZone,
          chosen: sql<boolean>`(${userProfiles.plannerPreferences}->>'timeZone') is not null`,
        })
        .from(userProfiles)
        .where(eq(userProfiles.userId, id))
        .limit(1);
      const row = rows[0];
      return row && { timeZone: row.timeZone, chosen: Boolean(row.chosen) };
    },
    async adoptTimeZone(id, timeZone) {
      const rows = await orm
        .update(userProfiles)
        .set({ timeZone, updatedAt: new Date() })
        .where(
          and(
            eq(userProfiles.userId, id),
            ne(userProfiles.timeZone, timeZone),
            sql`(${userProfiles.plannerPreferences}->>'timeZone') is null`,
          ),
        )
        .returning({ userId: userProfiles.userId });
      return rows.length > 0;
    },
    async setTimeZone(id, timeZone) {
      await orm
        .update(userProfiles)
        .set({ timeZone, updatedAt: new Date() })
        .where(eq(userProfiles.userId, id));
    },
  };
}
