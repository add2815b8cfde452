import { createHash, randomBytes } from 'node:crypto';
import type { GoogleState, RefreshGrant } from './google-state.ts';
import { unknownScopes } from './known-scopes.ts';

export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

const CODE_TTL_MS = 10 * 60_000;
const ACCESS_TTL_S = 3599;
const MAX_REFRESH_TOKENS = 100;

const oauthError = (status: number, error: string, description: string): EmulatorResponse => ({
  status,
  body: { error, error_description: description },
});

/** The key of an account's consent to one OAuth client. */
export const consentKey = (email: string, clientId: string) => `${email}|${clientId}`;

const PROMPTS = new Set(['none', 'consent', 'select_account']);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Google's installed-app rule: any port and path on a loopback address, plain http. */
export function isLoopbackRedirect(uri: string): boolean {
  if (!URL.canParse(uri)) return false;
  const url = new URL(uri);
  return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const missing = (name: string) => oauthError(400, 'invalid_request', `Missing required parameter: ${name}`);

/** Google's error page for a bad authorization request: it never redirects back then. */
const errorPage = (problem: string): EmulatorResponse => ({
  status: 400,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: `<!doctype html><html lang="en"><meta charset="utf-8"><title>Error 400</title><h1>400. That’s an error.</h1><p>${escapeHtml(problem)}</p></html>`,
});

/** Google's OAuth 2.0 endpoints for installed and web apps, enough for offline access with PKCE. */
export class OAuthEndpoints {
  constructor(
    private readonly state: GoogleState,
    private readonly now: () => number,
  ) {}

  /**
   * GET /o/oauth2/v2/auth: checks the request, then shows a consent page (or an error page).
   * As Google's granular consent, each scope is a checkbox, ticked at first; the form posts
   * the ticked ones as `granted_scope`.
   */
  authorize(query: URLSearchParams): EmulatorResponse {
    const problem = this.checkAuthorize(query);
    if (problem) return errorPage(problem);
    const fields = [...query.entries()]
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    const accounts = [...this.state.accounts.keys()];
    const hint = query.get('login_hint') || accounts[0] || '';
    const html = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sign in - Google Accounts</title>
<form method="post" action="/o/oauth2/v2/auth/decision">${fields}
<p>CanvasCal wants to access your Google Account</p>
<label>Account <input name="email" value="${escapeHtml(hint)}"></label>
<fieldset><legend>Select what CanvasCal can access</legend>${(query.get('scope') ?? '')
      .split(' ')
      .filter(Boolean)
      .map(
        (s) =>
          `<label><input type="checkbox" name="granted_scope" value="${escapeHtml(s)}" checked> ${escapeHtml(s)}</label><br>`,
      )
      .join('')}</fieldset>
<button name="decision" value="deny">Cancel</button> <button name="decision" value="approve">Allow</button></form></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: html };
  }

  /** POST from the consent page, or the control API acting as the user: redirects back with a code. */
  decide(
    params: URLSearchParams,
    decision: 'approve' | 'deny',
    email: string,
    grantScopes?: string[],
  ): EmulatorResponse {
    const problem = this.checkAuthorize(params);
    if (problem) return errorPage(problem);
    const redirectUri = params.get('redirect_uri') ?? '';
    const redirect = new URL(redirectUri);
    const state = params.get('state');
    if (decision === 'deny') {
      redirect.searchParams.set('error', 'access_denied');
    } else {
      if (!this.state.accounts.has(email)) return errorPage(`No Google account ${email}.`);
      const asked = (params.get('scope') ?? '').split(' ').filter(Boolean);
      // The user may untick scopes on the consent screen; include_granted_scopes adds earlier grants.
      const granted = grantScopes ? asked.filter((s) => grantScopes.includes(s)) : asked;
      const previous =
        params.get('include_granted_scopes') === 'true'
          ? [...(this.state.consents.get(consentKey(email, params.get('client_id') ?? '')) ?? [])]
          : [];
      const code = `4/0${randomBytes(24).toString('base64url')}`;
      const method = params.get('code_challenge_method');
      this.state.codes.set(code, {
        code,
        clientId: params.get('client_id') ?? '',
        // Kept exactly as sent: /token compares the very same string.
        redirectUri,
        email,
        scopes: [...new Set([...previous, ...granted])].sort(),
        codeChallenge: params.get('code_challenge') ?? undefined,
        codeChallengeMethod: method === 'S256' ? 'S256' : 'plain',
        offline: params.get('access_type') === 'offline',
        forceConsent: (params.get('prompt') ?? '').split(' ').includes('consent'),
        expiresAt: this.now() + CODE_TTL_MS,
        used: false,
      });
      redirect.searchParams.set('code', code);
      redirect.searchParams.set('scope', granted.join(' '));
    }
    if (state !== null) redirect.searchParams.set('state', state);
    return { status: 302, headers: { location: redirect.toString() } };
  }

  /** POST /token: authorization_code and refresh_token grants. */
  token(form: URLSearchParams, authorization: string | undefined): EmulatorResponse {
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    if (authorization?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString().split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    const client = this.state.clients.get(clientId);
    if (!client || client.clientSecret !== clientSecret)
      return oauthError(401, 'invalid_client', 'Unauthorized');
    const grantType = form.get('grant_type');
    if (!grantType) return missing('grant_type');
    if (grantType === 'authorization_code') return this.exchangeCode(form, clientId);
    if (grantType === 'refresh_token') return this.refresh(form, clientId);
    return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType}`);
  }

  /**
   * POST /revoke with a refresh token or a live access token removes the app's access to
   * the account, as removing it in the account's settings does: every refresh and access
   * token of that client for that user dies, and the next consent is a first consent.
   */
  revoke(token: string | null): EmulatorResponse {
    const grant = token ? this.state.refreshGrants.get(token) : undefined;
    const access = token ? this.state.accessTokens.get(token) : undefined;
    const owner =
      grant && !grant.revoked
        ? grant
        : access && !access.revoked && access.expiresAt > this.now()
          ? access
          : undefined;
    if (!owner) return oauthError(400, 'invalid_token', 'Token expired or revoked');
    for (const other of this.state.refreshGrants.values())
      if (other.email === owner.email && other.clientId === owner.clientId) this.revokeGrant(other);
    for (const other of this.state.accessTokens.values())
      if (other.email === owner.email && other.clientId === owner.clientId) other.revoked = true;
    this.state.consents.delete(consentKey(owner.email, owner.clientId));
    return { status: 200, body: {} };
  }

  revokeGrant(grant: RefreshGrant): void {
    grant.revoked = true;
    for (const access of this.state.accessTokens.values())
      if (access.refreshToken === grant.token) access.revoked = true;
  }

  private exchangeCode(form: URLSearchParams, clientId: string): EmulatorResponse {
    if (!form.get('code')) return missing('code');
    const redirectUri = form.get('redirect_uri');
    if (!redirectUri) return oauthError(400, 'invalid_request', 'Missing parameter: redirect_uri');
    const code = this.state.codes.get(form.get('code') ?? '');
    if (!code || code.clientId !== clientId) return oauthError(400, 'invalid_grant', 'Malformed auth code.');
    if (code.used || code.expiresAt <= this.now()) return oauthError(400, 'invalid_grant', 'Bad Request');
    if (redirectUri !== code.redirectUri) return oauthError(400, 'redirect_uri_mismatch', 'Bad Request');
    if (code.codeChallenge !== undefined) {
      const verifier = form.get('code_verifier');
      // Google answers invalid_grant here, not invalid_request (observed, e.g. google-api-php-client#2669).
      if (!verifier) return oauthError(400, 'invalid_grant', 'Missing code verifier.');
      const expected =
        code.codeChallengeMethod === 'S256'
          ? createHash('sha256').update(verifier).digest('base64url')
          : verifier;
      if (expected !== code.codeChallenge) return oauthError(400, 'invalid_grant', 'Invalid code verifier.');
    }
    code.used = true;
    const key = consentKey(code.email, clientId);
    const earlier = this.state.consents.get(key);
    const firstConsent = earlier === undefined;
    this.state.consents.set(key, new Set([...(earlier ?? []), ...code.scopes]));
    let refreshToken: string | undefined;
    if (code.offline && (firstConsent || code.forceConsent))
      refreshToken = this.issueRefreshToken(clientId, code.email, code.scopes);
    return this.issueAccess(clientId, code.email, code.scopes, refreshToken, refreshToken);
  }

  private refresh(form: URLSearchParams, clientId: string): EmulatorResponse {
    if (!form.get('refresh_token')) return missing('refresh_token');
    const grant = this.state.refreshGrants.get(form.get('refresh_token') ?? '');
    if (!grant || grant.revoked || grant.clientId !== clientId)
      return oauthError(400, 'invalid_grant', 'Token has been expired or revoked.');
    return this.issueAccess(clientId, grant.email, grant.scopes, grant.token, undefined);
  }

  private issueRefreshToken(clientId: string, email: string, scopes: string[]): string {
    const token = `1//0${randomBytes(32).toString('base64url')}`;
    this.state.refreshGrants.set(token, {
      token,
      clientId,
      email,
      scopes,
      issuedAt: this.now(),
      revoked: false,
    });
    // Google keeps at most 100 live refresh tokens per account and client: the oldest goes silently.
    const live = [...this.state.refreshGrants.values()].filter(
      (g) => g.email === email && g.clientId === clientId && !g.revoked,
    );
    live.sort((a, b) => a.issuedAt - b.issuedAt);
    for (const old of live.slice(0, Math.max(0, live.length - MAX_REFRESH_TOKENS))) this.revokeGrant(old);
    return token;
  }

  private issueAccess(
    clientId: string,
    email: string,
    scopes: string[],
    parent: string | undefined,
    returnRefresh: string | undefined,
  ): EmulatorResponse {
    const token = `ya29.${randomBytes(32).toString('base64url')}`;
    this.state.accessTokens.set(token, {
      token,
      clientId,
      email,
      scopes,
      expiresAt: this.now() + ACCESS_TTL_S * 1000,
      refreshToken: parent,
      revoked: false,
    });
    return {
      status: 200,
      body: {
        access_token: token,
        expires_in: ACCESS_TTL_S,
        scope: scopes.join(' '),
        token_type: 'Bearer',
        ...(returnRefresh ? { refresh_token: returnRefresh } : {}),
      },
    };
  }

  private checkAuthorize(query: URLSearchParams): string | undefined {
    const client = this.state.clients.get(query.get('client_id') ?? '');
    if (!client) return 'Error 401: invalid_client. The OAuth client was not found.';
    const redirect = query.get('redirect_uri');
    if (!redirect) return 'Error 400: invalid_request. Missing required parameter: redirect_uri';
    // Google never redirects to an unregistered URI: it shows this page instead.
    const registered = client.redirectUris
      ? client.redirectUris.includes(redirect)
      : isLoopbackRedirect(redirect);
    if (!registered || !URL.canParse(redirect))
      return `Error 400: redirect_uri_mismatch. You can't sign in to this app because it doesn't comply with Google's OAuth 2.0 policy. redirect_uri=${redirect}`;
    if (query.get('response_type') !== 'code')
      return 'Error 400: invalid_request. response_type must be code';
    const scopes = (query.get('scope') ?? '').split(' ').filter(Boolean);
    if (scopes.length === 0) return 'Error 400: invalid_request. Missing required parameter: scope';
    // Google shows this page rather than redirecting with error=invalid_scope.
    const invalid = unknownScopes(scopes);
    if (invalid.length > 0) {
      const valid = scopes.filter((s) => !invalid.includes(s));
      return `Error 400: invalid_scope. Some requested scopes were invalid. {valid=[${valid.join(', ')}], invalid=[${invalid.join(', ')}]}`;
    }
    const method = query.get('code_challenge_method');
    if (method !== null && method !== 'S256' && method !== 'plain')
      return 'Error 400: invalid_request. Invalid code_challenge_method';
    if (method !== null && !query.get('code_challenge'))
      return 'Error 400: invalid_request. Missing code_challenge';
    const accessType = query.get('access_type');
    if (accessType !== null && accessType !== 'online' && accessType !== 'offline')
      return 'Error 400: invalid_request. Invalid access_type';
    const prompts = (query.get('prompt') ?? '').split(' ').filter(Boolean);
    if (prompts.some((p) => !PROMPTS.has(p)) || (prompts.includes('none') && prompts.length > 1))
      return `Error 400: invalid_request. Invalid parameter value for prompt: ${query.get('prompt') ?? ''}`;
    return undefined;
  }
}
