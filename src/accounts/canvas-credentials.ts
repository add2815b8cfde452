import type { Logger } from 'pino';
import { type CanvasOAuth, CanvasOAuthError, type CanvasTokens } from '../canvas/canvas-oauth.ts';
import { isUnopenableSecret, unopenableLogFields, unopenableReason } from '../crypto/unopenable-secret.ts';
import type { CanvasConnection, CanvasConnectionsRepo } from '../db/canvas-connections-repo.ts';
import { AppError } from '../errors.ts';
import { canvasOAuthFailure, canvasReconnectNeeded, developerKeyFor } from './canvas-account-errors.ts';
import type { CanvasTokenVault } from './canvas-token-vault.ts';

// Refresh this long before Canvas's one-hour expiry, so no read starts with a dying token.
const REFRESH_AHEAD_MS = 5 * 60_000;

export interface CanvasCredentials {
  baseUrl: string;
  token: string;
  authKind: CanvasConnection['authKind'];
}

export interface CanvasCredentialsDeps {
  connections: Pick<CanvasConnectionsRepo, 'get' | 'updateAccessToken' | 'markReconnectNeeded'>;
  vault: CanvasTokenVault;
  /** Where a stored token that cannot be opened is reported (error level, never the blob). */
  logger?: Pick<Logger, 'error'> | undefined;
  /** Absent when no developer key is configured: an OAuth connection cannot be refreshed. */
  oauth?:
    | {
        client: CanvasOAuth;
        /** Runs `fn` holding a lock per user that every worker process respects. */
        withUserLock<T>(name: string, userId: string, fn: () => Promise<T>): Promise<T>;
      }
    | undefined;
  now: () => number;
}

/**
 * A user's usable Canvas access token, refreshed ahead of its expiry (one refresh per user at
 * a time in this process, and under a lock across workers). A stored token that cannot be
 * opened marks the connection "reconnect needed".
 */
export class CanvasCredentialsReader {
  private readonly inflight = new Map<string, Promise<CanvasCredentials>>();

  constructor(private readonly deps: CanvasCredentialsDeps) {}

  /**
   * A usable access token for a sync; throws when there is no usable connection. With
   * `forceRefresh` (Canvas just answered 401 to the token), an OAuth token is refreshed even
   * if it looks unexpired.
   */
  async credentials(userId: string, options: { forceRefresh?: boolean } = {}): Promise<CanvasCredentials> {
    try {
      return await this.readCredentials(userId, options);
    } catch (error) {
      // A saved token that does not open for this row (its Canvas address was changed, the
      // row was altered, its key left the ring) is never sent anywhere and retrying cannot
      // help: the student connects Canvas again.
      if (!isUnopenableSecret(error)) throw error;
      const reason =
        error.code === 'decrypt_failed'
          ? 'the saved token does not belong to this Canvas address'
          : unopenableReason(error, 'Canvas token');
      this.deps.logger?.error(
        { userId, provider: 'canvas', ...unopenableLogFields(error) },
        'a stored Canvas token cannot be opened; the connection is marked "reconnect needed"',
      );
      await this.deps.connections.markReconnectNeeded(userId, reason);
      throw canvasReconnectNeeded(reason);
    }
  }

  private async readCredentials(
    userId: string,
    options: { forceRefresh?: boolean },
  ): Promise<CanvasCredentials> {
    const connection = await this.usableConnection(userId);
    const fresh =
      connection.accessTokenExpiresAt === null ||
      connection.accessTokenExpiresAt.getTime() - this.deps.now() > REFRESH_AHEAD_MS;
    if (connection.authKind === 'personal_token' || (fresh && !options.forceRefresh)) {
      return {
        baseUrl: connection.baseUrl,
        token: this.openAccessToken(userId, connection),
        authKind: connection.authKind,
      };
    }
    const running = this.inflight.get(userId);
    if (running) return running;
    const oauth = this.deps.oauth;
    if (!oauth) throw canvasReconnectNeeded('CanvasCal no longer has a developer key for this Canvas');
    const seen = connection.encryptedAccessToken;
    const refresh = oauth
      .withUserLock('canvas-token', userId, () => this.refresh(userId, seen))
      .finally(() => this.inflight.delete(userId));
    this.inflight.set(userId, refresh);
    return refresh;
  }

  private async refresh(userId: string, seenAccessToken: string): Promise<CanvasCredentials> {
    const connection = await this.usableConnection(userId);
    // Another worker refreshed while we waited for the lock: use its token.
    if (connection.encryptedAccessToken !== seenAccessToken)
      return {
        baseUrl: connection.baseUrl,
        token: this.openAccessToken(userId, connection),
        authKind: 'oauth',
      };
    const { oauth, key } = developerKeyFor(this.deps.oauth, connection.baseUrl);
    if (!connection.encryptedRefreshToken) throw canvasReconnectNeeded('no refresh token was stored');
    let tokens: CanvasTokens;
    try {
      tokens = await oauth.client.refresh(
        key,
        this.deps.vault.open(userId, 'refresh_token', connection.encryptedRefreshToken, connection.baseUrl),
      );
    } catch (error) {
      if (
        error instanceof CanvasOAuthError &&
        (error.code === 'invalid_grant' || error.code === 'invalid_client')
      ) {
        const reason =
          error.code === 'invalid_grant'
            ? 'the authorization was removed or expired'
            : 'the school’s developer key was rejected';
        await this.deps.connections.markReconnectNeeded(userId, reason);
        throw canvasReconnectNeeded(reason);
      }
      throw canvasOAuthFailure(error, 'refresh');
    }
    await this.deps.connections.updateAccessToken(
      userId,
      this.deps.vault.seal(userId, 'access_token', tokens.accessToken, connection.baseUrl),
      tokens.expiresAt,
    );
    return { baseUrl: connection.baseUrl, token: tokens.accessToken, authKind: 'oauth' };
  }

  private async usableConnection(userId: string): Promise<CanvasConnection> {
    const connection = await this.deps.connections.get(userId);
    if (!connection)
      throw new AppError('canvas_not_connected', 'Connect your Canvas account before syncing.', 409);
    if (connection.status === 'reconnect_needed')
      throw canvasReconnectNeeded(connection.lastError ?? 'Canvas no longer accepts the saved token');
    return connection;
  }

  private openAccessToken(userId: string, connection: CanvasConnection): string {
    return this.deps.vault.open(userId, 'access_token', connection.encryptedAccessToken, connection.baseUrl);
  }
}
