import type { Logger } from 'pino';
import { issueOAuthState, type StateKeys, verifyOAuthState } from '../accounts/oauth-state.ts';
import { isUnopenableSecret, unopenableLogFields, unopenableReason } from '../crypto/unopenable-secret.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { OAuthStatesRepo } from '../db/oauth-states-repo.ts';
import { AppError, badRequest, forbidden } from '../errors.ts';
import type { SecretSealer } from '../secrets.ts';
import { type GoogleStatus, googleStatusOf } from './google-status.ts';
import { type GoogleOAuth, GoogleOAuthError } from './oauth-client.ts';
import { DEFAULT_SCOPES, REQUIRED_SCOPE, SCOPES } from './scopes.ts';

const STATE_TTL_MS = 10 * 60_000;
// Refresh this long before Google's expiry, so no request leaves with a token about to die.
const REFRESH_AHEAD_MS = 5 * 60_000;

export interface GoogleConnectionDeps {
  oauth: GoogleOAuth;
  connections: GoogleConnectionsRepo;
  states: OAuthStatesRepo;
  sealer: SecretSealer;
  /** HMAC key that signs OAuth states. */
  stateKeys: StateKeys;
  redirectUri: string;
  /** Runs `fn` holding a lock per user that every worker process respects. */
  withUserLock<T>(name: string, userId: string, fn: () => Promise<T>): Promise<T>;
  now?: () => number;
  /** Where a stored secret that cannot be opened is reported (error level, never the blob). */
  logger?: Pick<Logger, 'error'>;
  /** Hooks around the grant's life (live updates open push channels, and stop them). */
  lifecycle?: GoogleLifecycle;
}

export interface GoogleLifecycle {
  /** After a grant is stored. */
  afterConnect?(userId: string): Promise<void>;
  /** Before the grant is revoked, while it still works. */
  beforeDisconnect?(userId: string): Promise<void>;
}

/**
 * The user's Google grant: connecting (PKCE, signed single-use state), access tokens
 * (memory only, refreshed ahead of expiry, one refresh per user at a time across workers),
 * and disconnecting. `invalid_grant` marks the connection "reconnect needed" and is never
 * retried: it stops background work for that user until they connect again.
 */
export class GoogleConnection {
  private readonly accessTokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly now: () => number;

  constructor(private readonly deps: GoogleConnectionDeps) {
    this.now = deps.now ?? Date.now;
  }

  async authorizationUrl(
    userId: string,
    options: { loginHint?: string; includePrimaryEvents?: boolean } = {},
  ) {
    const { state, hash } = issueOAuthState(this.deps.stateKeys, 'google');
    const { codeVerifier, codeChallenge } = await this.deps.oauth.createPkce();
    const expiresAt = new Date(this.now() + STATE_TTL_MS);
    await this.deps.states.create(hash, {
      userId,
      provider: 'google',
      encryptedCodeVerifier: this.deps.sealer.seal(codeVerifier, {
        userId,
        provider: 'google',
        purpose: 'code_verifier',
      }),
      redirectUri: this.deps.redirectUri,
      expiresAt,
    });
    const scopes = options.includePrimaryEvents
      ? [...DEFAULT_SCOPES, SCOPES.eventsOwnedReadonly]
      : DEFAULT_SCOPES;
    const url = this.deps.oauth.authUrl({
      state,
      codeChallenge,
      scopes,
      redirectUri: this.deps.redirectUri,
      ...(options.loginHint ? { loginHint: options.loginHint } : {}),
    });
    return { url, state, expiresAt };
  }

  /**
   * Exchanges an authorization code. `callerUserId` is the signed-in user (POST flow); the
   * browser callback passes undefined and the state alone says whose grant this is.
   * Nothing is stored unless every check passes.
   */
  async complete(
    input: { code: string; state: string },
    callerUserId?: string,
  ): Promise<GoogleStatus & { userId: string }> {
    const stateHash = verifyOAuthState(this.deps.stateKeys, 'google', input.state);
    if (!stateHash) {
      throw badRequest(
        'The state does not come from CanvasCal; start connecting Google again.',
        'invalid_state',
      );
    }
    const now = new Date(this.now());
    // Consumed only for the caller: another user posting it learns 403 and burns nothing.
    const record = await this.deps.states.consume(stateHash, 'google', now, callerUserId);
    if (!record) {
      if (callerUserId && (await this.deps.states.ownerOf(stateHash, 'google', now)) !== undefined)
        throw forbidden(
          'This sign-in was started by another user; start connecting Google again.',
          'state_user_mismatch',
        );
      throw badRequest(
        'This sign-in link was already used or has expired; start connecting Google again.',
        'invalid_state',
      );
    }
    const userId = record.userId;
    const codeVerifier = record.encryptedCodeVerifier
      ? this.openCodeVerifier(record.encryptedCodeVerifier, userId)
      : '';
    let tokens: Awaited<ReturnType<GoogleOAuth['exchangeCode']>>;
    try {
      tokens = await this.deps.oauth.exchangeCode({
        code: input.code,
        codeVerifier,
        redirectUri: record.redirectUri,
      });
    } catch (error) {
      if (error instanceof GoogleOAuthError) {
        throw badRequest(
          error.code === 'invalid_grant'
            ? 'Google did not accept the authorization code (used or expired); connect Google again.'
            : `Google refused the authorization (${error.code}); connect Google again.`,
          'google_authorization_failed',
        );
      }
      throw new AppError(
        'google_unavailable',
        'Google could not be reached; try connecting again shortly.',
        502,
        { cause: error },
      );
    }
    if (!tokens.scopes.includes(REQUIRED_SCOPE)) {
      throw badRequest(
        'Google did not grant access to create CanvasCal\'s own calendar; connect again and leave "Make secondary calendars" ticked.',
        'missing_scope',
      );
    }
    if (!tokens.refreshToken) {
      throw badRequest(
        'Google sent no refresh token, so CanvasCal could not work while you are away; remove CanvasCal at https://myaccount.google.com/permissions and connect again.',
        'no_refresh_token',
      );
    }
    const encryptedRefreshToken = this.deps.sealer.seal(tokens.refreshToken, {
      userId,
      provider: 'google',
      purpose: 'refresh_token',
    });
    await this.deps.connections.connect(userId, { encryptedRefreshToken, grantedScopes: tokens.scopes });
    this.accessTokens.set(userId, { token: tokens.accessToken, expiresAt: tokens.expiresAt });
    await this.deps.lifecycle?.afterConnect?.(userId);
    return { userId, ...(await this.status(userId)) };
  }

  async status(userId: string): Promise<GoogleStatus> {
    return googleStatusOf(await this.deps.connections.get(userId));
  }

  /** A valid access token; throws AppError `google_reconnect_needed` when the grant is dead. */
  accessToken(userId: string): Promise<string> {
    const cached = this.accessTokens.get(userId);
    if (cached && cached.expiresAt - this.now() > REFRESH_AHEAD_MS) return Promise.resolve(cached.token);
    const running = this.inflight.get(userId);
    if (running) return running;
    const refresh = this.deps
      .withUserLock('google-token', userId, () => this.refresh(userId))
      .finally(() => this.inflight.delete(userId));
    this.inflight.set(userId, refresh);
    return refresh;
  }

  /** Forget a cached access token (after Google answered 401 with it). */
  invalidate(userId: string): void {
    this.accessTokens.delete(userId);
  }

  /**
   * Stops the push channels (lifecycle hook), revokes the grant at Google and forgets it.
   * Resolves `revoked: false` when there was no grant CanvasCal could open (never connected, or
   * a token sealed under a key that left the ring); throws `google_unavailable` (nothing
   * forgotten) when Google could not be reached, so trying again finishes the job.
   */
  async disconnect(userId: string): Promise<{ revoked: boolean }> {
    const connection = await this.deps.connections.get(userId);
    await this.deps.lifecycle?.beforeDisconnect?.(userId);
    // A token that cannot be opened cannot be revoked either; forgetting it is all there is.
    const plaintext = connection?.encryptedRefreshToken
      ? this.tryOpen(connection.encryptedRefreshToken, userId)
      : undefined;
    if (plaintext !== undefined) {
      // Revoking the refresh token also kills every access token issued from it.
      await this.deps.oauth.revoke(plaintext).catch((error: unknown) => {
        throw new AppError(
          'google_unavailable',
          'Google could not be reached to revoke access; try again.',
          502,
          {
            cause: error,
          },
        );
      });
    }
    this.accessTokens.delete(userId);
    await this.deps.connections.disconnect(userId);
    return { revoked: plaintext !== undefined };
  }

  /** A verifier sealed under a key that left the ring (rotated mid-sign-in): start again. */
  private openCodeVerifier(envelope: string, userId: string): string {
    try {
      return this.deps.sealer.open(envelope, { userId, provider: 'google', purpose: 'code_verifier' })
        .plaintext;
    } catch (error) {
      if (!isUnopenableSecret(error)) throw error;
      this.deps.logger?.error(
        { userId, provider: 'google', ...unopenableLogFields(error) },
        'a stored PKCE verifier cannot be opened; the sign-in must start again',
      );
      throw badRequest(
        'This sign-in can no longer be finished (CanvasCal cannot read what it saved when it started); start connecting Google again.',
        'invalid_state',
      );
    }
  }

  private tryOpen(envelope: string, userId: string): string | undefined {
    try {
      return this.deps.sealer.open(envelope, { userId, provider: 'google', purpose: 'refresh_token' })
        .plaintext;
    } catch (error) {
      if (!isUnopenableSecret(error)) throw error;
      return undefined;
    }
  }

  private async refresh(userId: string): Promise<string> {
    const connection = await this.deps.connections.get(userId);
    if (connection?.status !== 'connected' || !connection.encryptedRefreshToken) {
      throw reconnectNeeded(
        connection?.status === 'reconnect_needed' ? connection.lastError : 'Google is not connected',
      );
    }
    const binding = { userId, provider: 'google', purpose: 'refresh_token' } as const;
    let opened: { plaintext: string; stale: boolean };
    try {
      opened = this.deps.sealer.open(connection.encryptedRefreshToken, binding);
    } catch (error) {
      // Not Google's fault and not passing: say so, stop background work, retry nothing.
      if (!isUnopenableSecret(error)) throw error;
      const reason = unopenableReason(error, 'Google authorization');
      this.deps.logger?.error(
        { userId, provider: 'google', ...unopenableLogFields(error) },
        'a stored Google refresh token cannot be opened; the connection is marked "reconnect needed"',
      );
      await this.deps.connections.markReconnectNeeded(userId, reason);
      this.accessTokens.delete(userId);
      throw reconnectNeeded(reason);
    }
    const { plaintext, stale } = opened;
    let tokens: Awaited<ReturnType<GoogleOAuth['refresh']>>;
    try {
      tokens = await this.deps.oauth.refresh(plaintext);
    } catch (error) {
      // Only a dead grant needs the student: anything else (5xx, timeout, throttling, our own
      // client refused) leaves the connection as it is, and the caller tries again later.
      if (error instanceof GoogleOAuthError && error.code === 'invalid_grant') {
        const reason = 'the grant was revoked or expired';
        await this.deps.connections.markReconnectNeeded(userId, reason);
        this.accessTokens.delete(userId);
        throw reconnectNeeded(reason);
      }
      if (error instanceof GoogleOAuthError && error.code === 'invalid_client') {
        throw new AppError(
          'google_client_rejected',
          "Google refused CanvasCal's own app credentials: a problem on our side, not with your Google account. Syncing resumes once it is fixed.",
          502,
          { cause: error },
        );
      }
      throw new AppError(
        'google_unavailable',
        'Google could not be reached to refresh access; retrying later.',
        503,
        {
          cause: error,
        },
      );
    }
    const rotated = tokens.refreshToken !== undefined && tokens.refreshToken !== plaintext;
    if (rotated || stale) {
      // Written only over the version we read: a concurrent reconnect or rotation wins.
      await this.deps.connections.compareAndSetToken(
        userId,
        connection.version,
        this.deps.sealer.seal(tokens.refreshToken ?? plaintext, binding),
      );
    }
    this.accessTokens.set(userId, { token: tokens.accessToken, expiresAt: tokens.expiresAt });
    return tokens.accessToken;
  }
}

function reconnectNeeded(reason: string | null | undefined): AppError {
  return new AppError(
    'google_reconnect_needed',
    `Google access is not available (${reason ?? 'not connected'}); connect Google again.`,
    409,
  );
}
