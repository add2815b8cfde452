import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, gt, lte, ne, notInArray, or } from 'drizzle-orm';
import type { Orm } from '../db/client.ts';
import { mcpSessions } from '../db/schema.ts';

/**
 * The Streamable HTTP sessions of /mcp, in the database so any serve process answers any
 * session. A session belongs to the user who initialized it: another user's token with its
 * id reads as unknown. Idle sessions expire (`idleMs` after their last request); a user keeps
 * at most `perUser` (the least recently used go first). Every method is one or two statements.
 */
export interface McpSessionStore {
  /** A new session for the user; the returned id is the `Mcp-Session-Id` (visible ASCII, 43 chars). */
  open(userId: string, protocolVersion: string): Promise<string>;
  /** Whether the session is the user's and live; a live one counts as used now. */
  touch(userId: string, sessionId: string): Promise<boolean>;
  /** Ends the user's session; false when it was not theirs or not live. */
  end(userId: string, sessionId: string): Promise<boolean>;
}

export const MCP_SESSION_DEFAULTS = { idleMs: 7 * 24 * 3_600_000, perUser: 20 } as const;

const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('base64url');

export function createMcpSessionStore(
  orm: Orm,
  options: { now?: () => Date; idleMs?: number; perUser?: number } = {},
): McpSessionStore {
  const now = options.now ?? (() => new Date());
  const idleMs = options.idleMs ?? MCP_SESSION_DEFAULTS.idleMs;
  const perUser = options.perUser ?? MCP_SESSION_DEFAULTS.perUser;
  const cutoff = () => new Date(now().getTime() - idleMs);
  const mine = (userId: string, sessionId: string) =>
    and(
      eq(mcpSessions.idHash, hashOf(sessionId)),
      eq(mcpSessions.userId, userId),
      gt(mcpSessions.lastSeenAt, cutoff()),
    );
  return {
    async open(userId, protocolVersion) {
      // 256 random bits, base64url: unguessable, and only 0x21-0x7E characters as the spec asks.
      const id = randomBytes(32).toString('base64url');
      const idHash = hashOf(id);
      const at = now();
      await orm
        .insert(mcpSessions)
        .values({ idHash, userId, protocolVersion, createdAt: at, lastSeenAt: at });
      // The new session always stays; of the others, the most recently used perUser - 1 do.
      const others = and(eq(mcpSessions.userId, userId), ne(mcpSessions.idHash, idHash));
      const kept = orm
        .select({ idHash: mcpSessions.idHash })
        .from(mcpSessions)
        .where(others)
        .orderBy(desc(mcpSessions.lastSeenAt))
        .limit(perUser - 1);
      await orm
        .delete(mcpSessions)
        .where(or(lte(mcpSessions.lastSeenAt, cutoff()), and(others, notInArray(mcpSessions.idHash, kept))));
      return id;
    },
    async touch(userId, sessionId) {
      const rows = await orm
        .update(mcpSessions)
        .set({ lastSeenAt: now() })
        .where(mine(userId, sessionId))
        .returning({ idHash: mcpSessions.idHash });
      return rows.length > 0;
    },
    async end(userId, sessionId) {
      const rows = await orm
        .delete(mcpSessions)
        .where(mine(userId, sessionId))
        .returning({ idHash: mcpSessions.idHash });
      return rows.length > 0;
    },
  };
}
