import type { Logger } from 'pino';
import type { CanvasOAuth, CanvasTokens } from '../canvas/canvas-oauth.ts';
import type { CanvasConnection, CanvasConnectionsRepo } from '../db/canvas-connections-repo.ts';
import type { OAuthStatesRepo } from '../db/oauth-states-repo.ts';
import { AppError, badRequest, forbidden } from '../errors.ts';
import type { SecretSealer } from '../secrets.ts';
import { canvasOAuthFailure, developerKeyFor } from './canvas-account-errors.ts';
import { type CanvasCredentials, CanvasCredentialsReader } from './canvas-credentials.ts';
import { canvasOrigin } from './canvas-origin.ts';
import { type CanvasTokenVault, canvasTokenVault } from './canvas-token-vault.ts';
import { issueOAuthState, type StateKeys, verifyOAuthState } from './oauth-state.ts';

const STATE_TTL_MS = 10 * 60_000;

/** Asks a Canvas server who a token belongs to; the Canvas client implements it. */
export interface CanvasProbe {
  whoAmI(
    baseUrl: string,
    token: string,
  ): Promise<
    | { ok: true; id: string; name: string; timeZone?: string | undefined }
    | {
        ok: false;
        code: 'token_invalid' | 'forbidden' | 'not_canvas' | 'unreachable' | 'internal_address';
        message: string;
      }
  >;
  /** The zone in the user's Canvas profile; undefined when Canvas does not say or cannot be asked. */
  timeZone?(baseUrl: string, token: string): Promise<string | undefined>;
}

export interface CanvasAccountStatus {
  status: 'not_connected' | 'connected' | 'reconnect_needed';
  baseUrl?: string;
  authKind?: CanvasConnection['authKind'];
  tokenExpiresAt?: string | null;
  message?: string;
}

export interface CanvasAccountDeps {
  connections: CanvasConnectionsRepo;
  sealer: SecretSealer;
  probe: CanvasProbe;
  allowHttp: boolean;
  /** Where a stored token that cannot be opened is reported (error level, never the blob). */
  logger?: Pick<Logger, 'error'>;
  /** Production's refusal of internal addresses (see canvas-host-policy.ts); absent elsewhere. */
  hostPolicy?: (origin: string) => Promise<void>;
  /** OAuth2 with the school's developer key; absent when no key is configured. */
  oauth?: {
    client: CanvasOAuth;
    states: OAuthStatesRepo;
    stateKeys: StateKeys;
    redirectUri: string;
    /** Runs `fn` holding a lock per user that every worker process respects. */
    withUserLock<T>(name: string, userId: string, fn: () => Promise<T>): Promise<T>;
  };
  now?: () => number;
}

const PROBE_MESSAGES = {
  token_invalid:
    'Canvas did not accept this token (wrong, expired or deleted); create a new one under Account → Settings → Approved Integrations.',
  forbidden:
    'Canvas accepted the token but it may not read your profile; create a token without scope limits.',
  not_canvas: (baseUrl: string) =>
    `${baseUrl} does not answer like Canvas; check the address of your school's Canvas.`,
  unreachable: (baseUrl: string) => `${baseUrl} could not be reached; check the address and try again.`,
  // The name passed the host check, then resolved inside when connecting (DNS rebinding).
  internal_address: (baseUrl: string) =>
    `${baseUrl} is not on the public internet; CanvasCal only connects to Canvas servers it can reach publicly. If your school's Canvas is internal, ask the admin to configure it (CANVAS_DEVELOPER_KEYS).`,
} as const;

/**
 * The student's Canvas connection, made one of two ways: OAuth2 with the school's developer
 * key (a hosted, multi-user deployment, as Canvas's terms require) or a personal access token
 * (a self-hosted, single-student one). Either is validated against `/api/v1/users/self`
 * before anything is stored, and stored encrypted. OAuth access tokens are refreshed ahead of
 * their one-hour expiry, one refresh per user at a time across workers.
 */
export class CanvasAccount {
  private readonly now: () => number;
  private readonly vault: CanvasTokenVault;
  private readonly reader: CanvasCredentialsReader;

  constructor(private readonly deps: CanvasAccountDeps) {
    this.now = deps.now ?? Date.now;
    this.vault = canvasTokenVault(deps.sealer);
    this.reader = new CanvasCredentialsReader({
      connections: deps.connections,
      vault: this.vault,
      logger: deps.logger,
      oauth: deps.oauth,
      now: this.now,
    });
  }

  async connectWithToken(
    userId: string,
    input: { baseUrl: string; token: string; expiresAt?: Date | undefined },
  ): Promise<CanvasAccountStatus> {
    const baseUrl = canvasOrigin(input.baseUrl, { allowHttp: this.deps.allowHttp });
    await this.deps.hostPolicy?.(baseUrl);
    const canvasUserId = await this.whoAmI(baseUrl, input.token);
    await this.deps.connections.save({
      userId,
      baseUrl,
      authKind: 'personal_token',
      encryptedAccessToken: this.vault.seal(userId, 'access_token', input.token, baseUrl),
      encryptedRefreshToken: null,
      accessTokenExpiresAt: null,
      tokenExpiresAt: input.expiresAt ?? null,
      canvasUserId,
    });
    return this.status(userId);
  }

  /** The consent URL at the school's Canvas, with a signed, single-use state bound to the user. */
  async authorizationUrl(
    userId: string,
    baseUrlInput: string,
  ): Promise<{ url: string; state: string; expiresAt: Date }> {
    const baseUrl = canvasOrigin(baseUrlInput, { allowHttp: this.deps.allowHttp });
    const { oauth, key } = developerKeyFor(this.deps.oauth, baseUrl);
    const { state, hash } = issueOAuthState(oauth.stateKeys, 'canvas');
    const expiresAt = new Date(this.now() + STATE_TTL_MS);
    await oauth.states.create(hash, {
      userId,
      provider: 'canvas',
      encryptedCodeVerifier: null,
      redirectUri: oauth.redirectUri,
      canvasBaseUrl: baseUrl,
      expiresAt,
    });
    return { url: oauth.client.authUrl(key, { state, redirectUri: oauth.redirectUri }), state, expiresAt };
  }

  /**
   * Exchanges the code Canvas sent back. `callerUserId` is the signed-in user (API flow); the
   * browser callback passes undefined and the state alone says whose connection this is.
   * Nothing is stored unless every check passes.
   */
  async completeAuthorization(
    input: { code: string; state: string },
    callerUserId?: string,
  ): Promise<CanvasAccountStatus & { userId: string }> {
    const oauth = this.deps.oauth;
    const stateHash = oauth ? verifyOAuthState(oauth.stateKeys, 'canvas', input.state) : undefined;
    if (!oauth || !stateHash)
      throw badRequest(
        'The state does not come from CanvasCal; start connecting Canvas again.',
        'invalid_state',
      );
    const now = new Date(this.now());
    // Consumed only for the caller: another user posting it learns 403 and burns nothing.
    const record = await oauth.states.consume(stateHash, 'canvas', now, callerUserId);
    if (!record && callerUserId && (await oauth.states.ownerOf(stateHash, 'canvas', now)) !== undefined)
      throw forbidden(
        'This sign-in was started by another user; start connecting Canvas again.',
        'state_user_mismatch',
      );
    if (!record?.canvasBaseUrl)
      throw badRequest(
        'This Canvas sign-in link was already used or has expired; start connecting Canvas again.',
        'invalid_state',
      );
    const { userId, canvasBaseUrl: baseUrl } = record;
    const { key } = developerKeyFor(this.deps.oauth, baseUrl);
    let tokens: CanvasTokens;
    try {
      tokens = await oauth.client.exchangeCode(key, { code: input.code, redirectUri: record.redirectUri });
    } catch (error) {
      throw canvasOAuthFailure(error, 'connect');
    }
    if (!tokens.refreshToken)
      throw badRequest(
        'Canvas sent no refresh token, so CanvasCal could not sync while you are away; ask your Canvas admin to check the developer key.',
        'no_refresh_token',
      );
    const canvasUserId = await this.whoAmI(baseUrl, tokens.accessToken);
    await this.deps.connections.save({
      userId,
      baseUrl,
      authKind: 'oauth',
      encryptedAccessToken: this.vault.seal(userId, 'access_token', tokens.accessToken, baseUrl),
      encryptedRefreshToken: this.vault.seal(userId, 'refresh_token', tokens.refreshToken, baseUrl),
      accessTokenExpiresAt: tokens.expiresAt,
      tokenExpiresAt: null,
      canvasUserId,
    });
    return { userId, ...(await this.status(userId)) };
  }

  async status(userId: string): Promise<CanvasAccountStatus> {
    const connection = await this.deps.connections.get(userId);
    if (!connection) return { status: 'not_connected', message: 'Connect your Canvas account.' };
    return {
      status: connection.status,
      baseUrl: connection.baseUrl,
      authKind: connection.authKind,
      tokenExpiresAt: connection.tokenExpiresAt?.toISOString() ?? null,
      ...(connection.status === 'reconnect_needed'
        ? {
            message: `Canvas no longer accepts CanvasCal's token (${connection.lastError ?? 'token invalid'}); connect Canvas again.`,
          }
        : {}),
    };
  }

  /**
   * Removes the connection. An OAuth token is logged out at Canvas first (which also ends its
   * refresh token); if Canvas cannot be reached the connection stays and the user is told.
   */
  async disconnect(userId: string): Promise<void> {
    const connection = await this.deps.connections.get(userId);
    if (connection?.authKind === 'oauth' && connection.status === 'connected' && this.deps.oauth) {
      const key = this.deps.oauth.client.keyFor(connection.baseUrl);
      if (key) {
        try {
          const { token } = await this.credentials(userId);
          await this.deps.oauth.client.logout(key, token);
        } catch (error) {
          // A grant Canvas already refuses needs no logout; anything else must not leave a live token behind.
          if (!(error instanceof AppError && error.code === 'canvas_reconnect_needed'))
            throw new AppError(
              'canvas_unavailable',
              'Canvas could not be reached to log CanvasCal out; try again.',
              502,
              { cause: error },
            );
        }
      }
    }
    await this.deps.connections.remove(userId);
  }

  /**
   * A usable access token for a sync; throws when there is no usable connection. With
   * `forceRefresh` (Canvas just answered 401 to the token), an OAuth token is refreshed even
   * if it looks unexpired (see `CanvasCredentialsReader`).
   */
  credentials(userId: string, options: { forceRefresh?: boolean } = {}): Promise<CanvasCredentials> {
    return this.reader.credentials(userId, options);
  }

  /** The zone the student set in Canvas, or undefined when Canvas does not say (never throws for that). */
  async timeZone(userId: string): Promise<string | undefined> {
    const { baseUrl, token } = await this.credentials(userId);
    const fromProfile = await this.deps.probe.timeZone?.(baseUrl, token);
    if (fromProfile) return fromProfile;
    const who = await this.deps.probe.whoAmI(baseUrl, token);
    return who.ok ? who.timeZone : undefined;
  }

  private async whoAmI(baseUrl: string, token: string): Promise<string> {
    const who = await this.deps.probe.whoAmI(baseUrl, token);
    if (who.ok) return who.id;
    const message = PROBE_MESSAGES[who.code];
    throw badRequest(typeof message === 'string' ? message : message(baseUrl), `canvas_${who.code}`);
  }
}
