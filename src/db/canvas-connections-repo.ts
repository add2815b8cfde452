import { and, eq, like, or } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { canvasConnections } from './schema.ts';

export interface CanvasConnection {
  userId: string;
  baseUrl: string;
  authKind: 'personal_token' | 'oauth';
  /** Envelopes; only the token service opens them. */
  encryptedAccessToken: string;
  encryptedRefreshToken: string | null;
  accessTokenExpiresAt: Date | null;
  /** When the personal token itself expires (Canvas shows it; students' last at most 120 days). */
  tokenExpiresAt: Date | null;
  canvasUserId: string;
  status: 'connected' | 'reconnect_needed';
  lastError: string | null;
}

/** One Canvas connection per user; `save` replaces it whole. */
export interface CanvasConnectionsRepo {
  get(userId: string): Promise<CanvasConnection | undefined>;
  save(connection: Omit<CanvasConnection, 'status' | 'lastError'>): Promise<void>;
  updateAccessToken(userId: string, encryptedAccessToken: string, expiresAt: Date | null): Promise<void>;
  markReconnectNeeded(userId: string, reason: string): Promise<void>;
  /** Marks every connection to a Canvas on this machine (loopback) "reconnect needed"; returns how many. */
  markLoopbackReconnectNeeded(reason: string): Promise<number>;
  remove(userId: string): Promise<boolean>;
}

export function createCanvasConnectionsRepo(orm: Orm): CanvasConnectionsRepo {
  return {
    async get(userId) {
      const rows = await orm
        .select()
        .from(canvasConnections)
        .where(eq(canvasConnections.userId, userId))
        .limit(1);
      const row = rows[0];
      if (!row) return undefined;
      const { createdAt: _c, updatedAt: _u, ...connection } = row;
      return connection;
    },
    async save(connection) {
      const values = { ...connection, status: 'connected' as const, lastError: null, updatedAt: new Date() };
      await orm
        .insert(canvasConnections)
        .values(values)
        .onConflictDoUpdate({ target: canvasConnections.userId, set: values });
    },
    async updateAccessToken(userId, encryptedAccessToken, expiresAt) {
      await orm
        .update(canvasConnections)
        .set({ encryptedAccessToken, accessTokenExpiresAt: expiresAt, updatedAt: new Date() })
        .where(eq(canvasConnections.userId, userId));
    },
    async markReconnectNeeded(userId, reason) {
      await orm
        .update(canvasConnections)
        .set({ status: 'reconnect_needed', lastError: reason, updatedAt: new Date() })
        .where(eq(canvasConnections.userId, userId));
    },
    async markLoopbackReconnectNeeded(reason) {
      const rows = await orm
        .update(canvasConnections)
        .set({ status: 'reconnect_needed', lastError: reason, updatedAt: new Date() })
        .where(
          and(
            eq(canvasConnections.status, 'connected'),
            or(
              like(canvasConnections.baseUrl, 'http://127.0.0.1:%'),
              like(canvasConnections.baseUrl, 'http://localhost:%'),
              like(canvasConnections.baseUrl, 'http://[::1]:%'),
            ),
          ),
        )
        .returning({ id: canvasConnections.userId });
      return rows.length;
    },
    async remove(userId) {
      const rows = await orm
        .delete(canvasConnections)
        .where(eq(canvasConnections.userId, userId))
        .returning({ id: canvasConnections.userId });
      return rows.length > 0;
    },
  };
}
