import { CodeChallengeMethod, OAuth2Client } from 'google-auth-library';
import { parseScopes } from './scopes.ts';

/** Where Google's OAuth endpoints are: Google's own, or the emulator's. */
export interface GoogleOAuthEndpoints {
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
}

export const GOOGLE_OAUTH_ENDPOINTS: GoogleOAuthEndpoints = {
  authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  tokenUrl: 'https://oauth2.googleapis.com/token',
  revokeUrl: 'https://oauth2.googleapis.com/revoke',
};

export function endpointsAt(origin: string): GoogleOAuthEndpoints {
  return {
    authUrl: `${origin}/o/oauth2/v2/auth`,
    tokenUrl: `${origin}/token`,
    revokeUrl: `${origin}/revoke`,
  };
}

export interface GoogleTokens {
  accessToken: string;
  /** Absent when Google sent none (no offline access, or a repeat consent without prompt=consent). */
  refreshToken: string | undefined;
  expiresAt: number;
  scopes: string[];
}

/** Expected OAuth failures; anything else (network, 5xx) is thrown as a plain Error to retry. */
export class GoogleOAuthError extends Error {
  override readonly name = 'GoogleOAuthError';
  constructor(
    readonly code:
      | 'invalid_grant'
      | 'invalid_client'
      | 'invalid_request'
      | 'invalid_token'
      | 'access_denied'
      | 'unknown',
    message: string,
  ) {
    super(message);
  }
}

/** Offline OAuth with PKCE against Google (or its emulator), through google-auth-library. */
export interface GoogleOAuth {
  createPkce(): Promise<{ codeVerifier: string; codeChallenge: string }>;
  authUrl(options: {
    state: string;
    codeChallenge: string;
    scopes: readonly string[];
    redirectUri: string;
    loginHint?: string;
  }): string;
  exchangeCode(options: { code: string; codeVerifier: string; redirectUri: string }): Promise<GoogleTokens>;
  refresh(refreshToken: string): Promise<GoogleTokens>;
  revoke(token: string): Promise<void>;
}

export interface GoogleOAuthOptions {
  clientId: string;
  clientSecret: string;
  endpoints: GoogleOAuthEndpoints;
  now?: () => number;
  /**
   * How long one request to Google's OAuth endpoints may take (default 10 s). Without it a
   * token endpoint that never answers would hold a refresh, and every sync waiting on it, forever.
   */
  timeoutMs?: number;
}

export function createGoogleOAuth(options: GoogleOAuthOptions): GoogleOAuth {
  const now = options.now ?? Date.now;
  const client = () =>
    new OAuth2Client({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      endpoints: {
        oauth2AuthBaseUrl: options.endpoints.authUrl,
        oauth2TokenUrl: options.endpoints.tokenUrl,
        oauth2RevokeUrl: options.endpoints.revokeUrl,
      },
      // gaxios would otherwise pick node-fetch; the platform fetch is what we test with.
      transporterOptions: { fetchImplementation: fetch, timeout: options.timeoutMs ?? 10_000 },
    });
  const shared = client();

  return {
    async createPkce() {
      const { codeVerifier, codeChallenge } = await shared.generateCodeVerifierAsync();
      if (!codeChallenge) throw new Error('PKCE challenge was not generated');
      return { codeVerifier, codeChallenge };
    },
    authUrl({ state, codeChallenge, scopes, redirectUri, loginHint }) {
      return shared.generateAuthUrl({
        access_type: 'offline',
        prompt: 'consent',
        include_granted_scopes: true,
        response_type: 'code',
        scope: [...scopes],
        state,
        redirect_uri: redirectUri,
        code_challenge: codeChallenge,
        code_challenge_method: CodeChallengeMethod.S256,
        // An empty login_hint would be sent as "login_hint=": leave it out when there is none.
        ...(loginHint ? { login_hint: loginHint } : {}),
      });
    },
    async exchangeCode({ code, codeVerifier, redirectUri }) {
      try {
        const { tokens } = await shared.getToken({ code, codeVerifier, redirect_uri: redirectUri });
        return toTokens(tokens, now());
      } catch (error) {
        throw classify(error);
      }
    },
    async refresh(refreshToken) {
      // A fresh client per refresh: OAuth2Client caches credentials, and users must not share them.
      const perUser = client();
      perUser.setCredentials({ refresh_token: refreshToken });
      try {
        const { credentials } = await perUser.refreshAccessToken();
        return toTokens({ ...credentials, refresh_token: credentials.refresh_token ?? refreshToken }, now());
      } catch (error) {
        throw classify(error);
      }
    },
    async revoke(token) {
      try {
        await shared.revokeToken(token);
      } catch (error) {
        const classified = classify(error);
        // Revoking a token Google no longer knows is the outcome we wanted.
        if (classified instanceof GoogleOAuthError && classified.code === 'invalid_grant') return;
        if (classified instanceof GoogleOAuthError && classified.code === 'invalid_request') return;
        // Google answers 400 invalid_token for a token already revoked or expired.
        if (classified instanceof GoogleOAuthError && classified.code === 'invalid_token') return;
        throw classified;
      }
    },
  };
}

function toTokens(
  tokens: {
    access_token?: string | null;
    refresh_token?: string | null;
    expiry_date?: number | null;
    scope?: string | null;
  },
  now: number,
): GoogleTokens {
  if (!tokens.access_token) throw new GoogleOAuthError('unknown', 'Google answered without an access token');
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token ?? undefined,
    expiresAt: tokens.expiry_date ?? now + 3600_000,
    scopes: parseScopes(tokens.scope),
  };
}

function classify(error: unknown): Error {
  const response = (error as { response?: { status?: number; data?: unknown } } | null)?.response;
  const data = response?.data as { error?: unknown; error_description?: unknown } | undefined;
  const code = typeof data?.error === 'string' ? data.error : undefined;
  if (response?.status && response.status >= 400 && response.status < 500 && code) {
    const known = [
      'invalid_grant',
      'invalid_client',
      'invalid_request',
      'invalid_token',
      'access_denied',
    ] as const;
    const typed = known.find((k) => k === code) ?? 'unknown';
    // Google's error_description never holds a secret; the request (with the code) is not included.
    const description = typeof data?.error_description === 'string' ? data.error_description : code;
    return new GoogleOAuthError(typed, description);
  }
  return new Error(`Google OAuth request failed${response?.status ? ` with HTTP ${response.status}` : ''}`);
}
