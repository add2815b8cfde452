import type { CanvasConnection, CanvasConnectionsRepo } from '../db/canvas-connections-repo.ts';
import { AppError, badRequest } from '../errors.ts';
import type { SecretSealer } from '../secrets.ts';

/** Asks a Canvas server who a token belongs to; the Canvas client implements it. */
export interface CanvasProbe {
  whoAmI(
    baseUrl: string,
    token: string,
  ): Promise<
    | { ok: true; id: string; name: string }
    | { ok: false; code: 'token_invalid' | 'forbidden' | 'not_canvas' | 'unreachable'; message: string }
  >;
}

export interface CanvasAccountStatus {
  status: 'not_connected' | 'connected' | 'reconnect_needed';
  baseUrl?: string;
  authKind?: CanvasConnection['authKind'];
  tokenExpiresAt?: string | null;
  message?: string;
}

/** Normalises what a user types as their school's Canvas address to an origin. */
export function canvasOrigin(input: string, options: { allowHttp: boolean }): string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(input.trim()) ? input.trim() : `https://${input.trim()}`);
  } catch {
    throw badRequest(
      `"${input}" is not a web address; use your school's Canvas address, e.g. https://canvas.school.edu.`,
      'invalid_canvas_url',
    );
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (options.allowHttp || loopback))) {
    throw badRequest('The Canvas address must start with https://.', 'invalid_canvas_url');
  }
  return url.origin;
}

/**
 * A personal access token for a self-hosted, single-student deployment: validated against
 * `/api/v1/users/self` before anything is stored, then stored encrypted.
 */
export class CanvasAccount {
  constructor(
    private readonly deps: {
      connections: CanvasConnectionsRepo;
      sealer: SecretSealer;
      probe: CanvasProbe;
      allowHttp: boolean;
    },
  ) {}

  async connectWithToken(
    userId: string,
    input: { baseUrl: string; token: string; expiresAt?: Date | undefined },
  ): Promise<CanvasAccountStatus> {
    const baseUrl = canvasOrigin(input.baseUrl, { allowHttp: this.deps.allowHttp });
    const who = await this.deps.probe.whoAmI(baseUrl, input.token);
    if (!who.ok) {
      const messages = {
        token_invalid:
          'Canvas did not accept this token (wrong, expired or deleted); create a new one under Account → Settings → Approved Integrations.',
        forbidden:
          'Canvas accepted the token but it may not read your profile; create a token without scope limits.',
        not_canvas: `${baseUrl} does not answer like Canvas; check the address of your school's Canvas.`,
        unreachable: `${baseUrl} could not be reached; check the address and try again.`,
      } as const;
      throw badRequest(messages[who.code], `canvas_${who.code}`);
    }
    await this.deps.connections.save({
      userId,
      baseUrl,
      authKind: 'personal_token',
      encryptedAccessToken: this.deps.sealer.seal(input.token, {
        userId,
        provider: 'canvas',
        purpose: 'access_token',
      }),
      encryptedRefreshToken: null,
      accessTokenExpiresAt: null,
      tokenExpiresAt: input.expiresAt ?? null,
      canvasUserId: who.id,
    });
    return this.status(userId);
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

  async disconnect(userId: string): Promise<void> {
    await this.deps.connections.remove(userId);
  }

  /** The decrypted access token for a sync; throws when there is no usable connection. */
  async credentials(userId: string): Promise<{ baseUrl: string; token: string }> {
    const connection = await this.deps.connections.get(userId);
    if (!connection)
      throw new AppError('canvas_not_connected', 'Connect your Canvas account before syncing.', 409);
    if (connection.status === 'reconnect_needed') {
      throw new AppError(
        'canvas_reconnect_needed',
        'Canvas no longer accepts the saved token; connect Canvas again.',
        409,
      );
    }
    const { plaintext } = this.deps.sealer.open(connection.encryptedAccessToken, {
      userId,
      provider: 'canvas',
      purpose: 'access_token',
    });
    return { baseUrl: connection.baseUrl, token: plaintext };
  }
}
