import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { oauthStates } from './schema.ts';

export interface OAuthStateRecord {
  userId: string;
  provider: 'google' | 'canvas';
  encryptedCodeVerifier: string | null;
  redirectUri: string;
  /** The Canvas origin a Canvas sign-in was started for (null for Google). */
  canvasBaseUrl?: string | null;
}

/** Short-lived OAuth states. `consume` is atomic: of two concurrent callers, one wins. */
export interface OAuthStatesRepo {
  create(stateHash: string, record: OAuthStateRecord & { expiresAt: Date }): Promise<void>;
  /**
   * Marks the state used and returns it, if it exists, is unused and unexpired (and, with
   * `forUser`, was started by that user); else undefined and the state is left as it was,
   * so another user posting it cannot burn it.
   */
  consume(
    stateHash: string,
    provider: OAuthStateRecord['provider'],
    now: Date,
    forUser?: string,
  ): Promise<OAuthStateRecord | undefined>;
  /** Who started a state that is still usable (unused, unexpired); reads only. */
  ownerOf(stateHash: string, provider: OAuthStateRecord['provider'], now: Date): Promise<string | undefined>;
  purgeExpired(now: Date): Promise<number>;
}

export function createOAuthStatesRepo(orm: Orm): OAuthStatesRepo {
  return {
    async create(stateHash, record) {
      await orm.insert(oauthStates).values({ stateHash, ...record });
    },
    async consume(stateHash, provider, now, forUser) {
      const rows = await orm
        .update(oauthStates)
        .set({ usedAt: now })
        .where(
          and(
            eq(oauthStates.stateHash, stateHash),
            eq(oauthStates.provider, provider),
            isNull(oauthStates.usedAt),
            gt(oauthStates.expiresAt, now),
            forUser === undefined ? undefined : eq(oauthStates.userId, forUser),
          ),
        )
        .returning({
          userId: oauthStates.userId,
          provider: oauthStates.provider,
          encryptedCodeVerifier: oauthStates.encryptedCodeVerifier,
          redirectUri: oauthStates.redirectUri,
          canvasBaseUrl: oauthStates.canvasBaseUrl,
        });
      return rows[0];
    },
    async ownerOf(stateHash, provider, now) {
      const rows = await orm
        .select({ userId: oauthStates.userId })
        .from(oauthStates)
        .where(
          and(
            eq(oauthStates.stateHash, stateHash),
            eq(oauthStates.provider, provider),
            isNull(oauthStates.usedAt),
            gt(oauthStates.expiresAt, now),
          ),
        );
      return rows[0]?.userId;
    },
    async purgeExpired(now) {
      const rows = await orm
        .delete(oauthStates)
        .where(lt(oauthStates.expiresAt, now))
        .returning({ h: oauthStates.stateHash });
      return rows.length;
    },
  };
}
