import { z } from 'zod';

const USER_AGENT = 'CanvasCal/0.1 (+https://github.com/canvascal)';

/** A school's Canvas developer key (Admin → Developer Keys), for one Canvas origin. */
export interface CanvasDeveloperKey {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

export class CanvasOAuthError extends Error {
  override readonly name = 'CanvasOAuthError';
  constructor(
    /** `invalid_grant`: the code or refresh token is dead; `invalid_client`: the key is wrong. */
    readonly code: 'invalid_grant' | 'invalid_client' | 'unavailable' | 'malformed_response',
    message: string,
  ) {
    super(message);
  }
}

export interface CanvasTokens {
  accessToken: string;
  /** Absent on a refresh: Canvas reuses the refresh token instead of rotating it. */
  refreshToken: string | undefined;
  expiresAt: Date | null;
  canvasUserId: string;
}

/** Canvas's OAuth2 endpoints for the hosts we hold a developer key for. */
export interface CanvasOAuth {
  keyFor(baseUrl: string): CanvasDeveloperKey | undefined;
  authUrl(key: CanvasDeveloperKey, input: { state: string; redirectUri: string }): string;
  exchangeCode(key: CanvasDeveloperKey, input: { code: string; redirectUri: string }): Promise<CanvasTokens>;
  refresh(key: CanvasDeveloperKey, refreshToken: string): Promise<CanvasTokens>;
  /** `DELETE /login/oauth2/token`: the access token and its refresh token stop working. */
  logout(key: CanvasDeveloperKey, accessToken: string): Promise<void>;
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().int().positive().optional(),
  user: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
});

export function createCanvasOAuth(options: {
  keys: readonly CanvasDeveloperKey[];
  fetch?: typeof fetch;
  now?: () => number;
  timeoutMs?: number;
}): CanvasOAuth {
  const doFetch = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const byOrigin = new Map(options.keys.map((key) => [new URL(key.baseUrl).origin, key]));

  const tokenRequest = async (
    key: CanvasDeveloperKey,
    form: Record<string, string>,
  ): Promise<CanvasTokens> => {
    let response: Response;
    try {
      response = await doFetch(`${key.baseUrl}/login/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': USER_AGENT },
        body: new URLSearchParams({ client_id: key.clientId, client_secret: key.clientSecret, ...form }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
        redirect: 'manual',
      });
    } catch {
      throw new CanvasOAuthError('unavailable', `${key.baseUrl} could not be reached`);
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = (body as { error?: unknown } | undefined)?.error;
      if (error === 'invalid_grant')
        throw new CanvasOAuthError('invalid_grant', 'Canvas no longer accepts this authorization');
      if (error === 'invalid_client' || response.status === 401)
        throw new CanvasOAuthError('invalid_client', 'Canvas does not accept the developer key');
      throw new CanvasOAuthError(
        'unavailable',
        `Canvas answered HTTP ${response.status} to the token request`,
      );
    }
    const parsed = TokenResponse.safeParse(body);
    if (!parsed.success)
      throw new CanvasOAuthError('malformed_response', 'Canvas answered the token request without a token');
    return {
      accessToken: parsed.data.access_token,
      refreshToken: parsed.data.refresh_token,
      expiresAt: parsed.data.expires_in ? new Date(now() + parsed.data.expires_in * 1000) : null,
      canvasUserId: parsed.data.user.id,
    };
  };

  return {
    keyFor: (baseUrl) => byOrigin.get(new URL(baseUrl).origin),
    authUrl(key, input) {
      const url = new URL('/login/oauth2/auth', key.baseUrl);
      url.searchParams.set('client_id', key.clientId);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('redirect_uri', input.redirectUri);
      url.searchParams.set('state', input.state);
      return url.toString();
    },
    exchangeCode: (key, input) =>
      tokenRequest(key, {
        grant_type: 'authorization_code',
        code: input.code,
        redirect_uri: input.redirectUri,
      }),
    refresh: (key, refreshToken) =>
      tokenRequest(key, { grant_type: 'refresh_token', refresh_token: refreshToken }),
    async logout(key, accessToken) {
      let response: Response;
      try {
        response = await doFetch(`${key.baseUrl}/login/oauth2/token`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${accessToken}`, 'user-agent': USER_AGENT },
          signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
          redirect: 'manual',
        });
      } catch {
        throw new CanvasOAuthError('unavailable', `${key.baseUrl} could not be reached`);
      }
      // A token Canvas already considers dead is as logged out as we can make it.
      if (response.ok || response.status === 401) return;
      throw new CanvasOAuthError('unavailable', `Canvas answered HTTP ${response.status} to the logout`);
    },
  };
}
