import { and, eq, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { googleConnections, users } from './schema.ts';

export type GoogleConnectionStatus = 'connected' | 'reconnect_needed' | 'disconnected';

export interface GoogleConnection {
  userId: string;
  status: GoogleConnectionStatus;
  grantedScopes: string[];
  appCalendarId: string | null;
  /** When a create of the app calendar last failed without an answer (a stray may appear); null: none. */
  appCalendarUnsureSince?: Date | null;
  version: number;
  lastError: string | null;
  /** The envelope in users.encrypted_refresh_token; only the token service decrypts it. */
  encryptedRefreshToken: string | null;
}

/**
 * The Google grant of each user: the encrypted refresh token lives in the blueprint's
 * `users.encrypted_refresh_token`, the rest in `google_connections`. Writes that change the
 * grant bump `version`, and `compareAndSet*` only write over the version the caller read.
 */
export interface GoogleConnectionsRepo {
  get(userId: string): Promise<GoogleConnection | undefined>;
  /** Stores a new grant (token and scopes) in one transaction. */
  connect(
    userId: string,
    grant: { encryptedRefreshToken: string; grantedScopes: string[] },
  ): Promise<GoogleConnection>;
  /** Replaces the token envelope if the version is unchanged (lazy re-encryption, rotation by Google). */
  compareAndSetToken(
    userId: string,
    expectedVersion: number,
    encryptedRefreshToken: string,
  ): Promise<boolean>;
  markReconnectNeeded(userId: string, reason: string): Promise<void>;
  setAppCalendar(userId: string, calendarId: string | null): Promise<void>;
  /** Unsets the app calendar only while it is still `calendarId`; true when it was. */
  forgetAppCalendar(userId: string, calendarId: string): Promise<boolean>;
  /** Records (a Date) or clears (null) that a create of the app calendar went unanswered. */
  setAppCalendarUnsure(userId: string, since: Date | null): Promise<void>;
  /** Erases the token and marks the connection disconnected. */
  disconnect(userId: string): Promise<void>;
  listConnectedUserIds(): Promise<string[]>;
  /** Marks every live connection "reconnect needed" (the Google they were made with is gone); returns how many. */
  markAllReconnectNeeded(reason: string): Promise<number>;
}

export function createGoogleConnectionsRepo(orm: Orm): GoogleConnectionsRepo {
  const read = async (userId: string): Promise<GoogleConnection | undefined> => {
    const rows = await orm
      .select({
        userId: googleConnections.userId,
        status: googleConnections.status,
        grantedScopes: googleConnections.grantedScopes,
        appCalendarId: googleConnections.appCalendarId,
        appCalendarUnsureSince: googleConnections.appCalendarUnsureSince,
        version: googleConnections.version,
        lastError: googleConnections.lastError,
        encryptedRefreshToken: users.encryptedRefreshToken,
      })
      .from(googleConnections)
      .innerJoin(users, eq(users.id, googleConnections.userId))
      .where(eq(googleConnections.userId, userId))
      .limit(1);
    return rows[0];
  };

  return {
    get: read,
    async connect(userId, grant) {
      await orm.transaction(async (tx) => {
        await tx
          .update(users)
          .set({ encryptedRefreshToken: grant.encryptedRefreshToken })
          .where(eq(users.id, userId));
        await tx
          .insert(googleConnections)
          .values({ userId, status: 'connected', grantedScopes: grant.grantedScopes, version: 1 })
          .onConflictDoUpdate({
            target: googleConnections.userId,
            set: {
              status: 'connected',
              grantedScopes: grant.grantedScopes,
              lastError: null,
              version: sql`${googleConnections.version} + 1`,
              connectedAt: new Date(),
              updatedAt: new Date(),
            },
          });
        // A reconnect clears the error streak the blueprint keeps in the settings JSON.
        await tx
          .update(users)
          .set({
            googleCalendarSettings: sql`jsonb_set(coalesce(${users.googleCalendarSettings}, '{}'::jsonb), '{sync_error_count}', '0')`,
          })
          .where(eq(users.id, userId));
      });
      const connection = await read(userId);
      if (!connection) throw new Error('connection vanished after it was written');
      return connection;
    },
    async compareAndSetToken(userId, expectedVersion, encryptedRefreshToken) {
      return orm.transaction(async (tx) => {
        const bumped = await tx
          .update(googleConnections)
          .set({ version: sql`${googleConnections.version} + 1`, updatedAt: new Date() })
          .where(and(eq(googleConnections.userId, userId), eq(googleConnections.version, expectedVersion)))
          .returning({ userId: googleConnections.userId });
        if (bumped.length === 0) return false;
        await tx.update(users).set({ encryptedRefreshToken }).where(eq(users.id, userId));
        return true;
      });
    },
    async markReconnectNeeded(userId, reason) {
      await orm
        .update(googleConnections)
        .set({
          status: 'reconnect_needed',
          lastError: reason,
          version: sql`${googleConnections.version} + 1`,
          updatedAt: new Date(),
        })
        // A student who disconnected stays disconnected: a job that was mid-refresh when they
        // did must not relabel it "revoked".
        .where(and(eq(googleConnections.userId, userId), eq(googleConnections.status, 'connected')));
    },
    async setAppCalendar(userId, calendarId) {
      await orm
        .update(googleConnections)
        .set({ appCalendarId: calendarId, updatedAt: new Date() })
        .where(eq(googleConnections.userId, userId));
    },
    async forgetAppCalendar(userId, calendarId) {
      const rows = await orm
        .update(googleConnections)
        .set({ appCalendarId: null, updatedAt: new Date() })
        .where(and(eq(googleConnections.userId, userId), eq(googleConnections.appCalendarId, calendarId)))
        .returning({ userId: googleConnections.userId });
      return rows.length > 0;
    },
    async setAppCalendarUnsure(userId, since) {
      await orm
        .update(googleConnections)
        .set({ appCalendarUnsureSince: since })
        .where(eq(googleConnections.userId, userId));
    },
    async disconnect(userId) {
      await orm.transaction(async (tx) => {
        await tx.update(users).set({ encryptedRefreshToken: null }).where(eq(users.id, userId));
        await tx
          .update(googleConnections)
          .set({
            status: 'disconnected',
            grantedScopes: [],
            version: sql`${googleConnections.version} + 1`,
            updatedAt: new Date(),
          })
          .where(eq(googleConnections.userId, userId));
      });
    },
    async markAllReconnectNeeded(reason) {
      const rows = await orm
        .update(googleConnections)
        .set({
          status: 'reconnect_needed',
          lastError: reason,
          version: sql`${googleConnections.version} + 1`,
          updatedAt: new Date(),
        })
        .where(eq(googleConnections.status, 'connected'))
        .returning({ id: googleConnections.userId });
      return rows.length;
    },
    async listConnectedUserIds() {
      const rows = await orm
        .select({ userId: googleConnections.userId })
        .from(googleConnections)
        .where(eq(googleConnections.status, 'connected'));
      return rows.map((r) => r.userId);
    },
  };
}
