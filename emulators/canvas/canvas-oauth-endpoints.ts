import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CanvasState } from './canvas-state.ts';

/** A school's developer key, as a Canvas admin creates it under Admin → Developer Keys. */
export interface DeveloperKey {
  clientId: string;
  clientSecret: string;
  /** Redirects must be on this URL's host or a subdomain of it (Canvas's rule). */
  redirectUri: string;
}

/** The key the demo and tests use; any loopback redirect is accepted for it. */
export const DEMO_CANVAS_DEVELOPER_KEY: DeveloperKey = {
  clientId: '10000000000001',
  clientSecret: 'demo-canvas-developer-key-secret',
  redirectUri: 'http://127.0.0.1/',
};

const CODE_TTL_MS = 10 * 60_000;
const ACCESS_TOKEN_TTL_S = 3600;

interface PendingCode {
  clientId: string;
  redirectUri: string;
  userId: number;
  expiresAt: number;
  used: boolean;
}

interface RefreshGrant {
  clientId: string;
  userId: number;
  revoked: boolean;
  /** Access tokens issued from this grant; logging out revokes them all. */
  accessTokens: Set<string>;
  /** The grant's one live access token (Canvas keeps one AccessToken row per grant). */
  current: string | null;
  /** When `current` was issued, for Canvas's refresh spam interval. */
  issuedAt: number;
}

// Canvas does not regenerate an access token refreshed again within this long
// (`oauth_refresh_token_spam_interval`, 5 s): the same token comes back.
const REFRESH_SPAM_INTERVAL_MS = 5_000;

/**
 * Canvas's OAuth2 endpoints: `GET /login/oauth2/auth` (a consent page a browser can click),
 * `POST /login/oauth2/token` (`authorization_code` and `refresh_token`; access tokens last an
 * hour; the refresh token is reused, never rotated; a refresh regenerates the grant's access
 * token, so the old one dies, unless it was issued under 5 s ago, when the same one comes back)
 * and `DELETE /login/oauth2/token` (log out: the access token and its refresh token die).
 */
export class CanvasOAuthEndpoints {
  readonly keys = new Map<string, DeveloperKey>([
    [DEMO_CANVAS_DEVELOPER_KEY.clientId, DEMO_CANVAS_DEVELOPER_KEY],
  ]);
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshGrants = new Map<string, RefreshGrant>();

  constructor(
    private readonly state: CanvasState,
    private readonly now: () => number,
    private readonly defaultUserId: () => number | undefined,
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://canvas.invalid');
    const method = req.method ?? 'GET';
    if (url.pathname === '/login/oauth2/auth' && method === 'GET')
      return this.authorize(url.searchParams, res);
    if (url.pathname === '/login/oauth2/confirm' && method === 'POST')
      return this.confirm(new URLSearchParams(await readBody(req)), res);
    if (url.pathname === '/login/oauth2/token' && method === 'POST')
      return this.token(await formOrJson(req), req.headers.authorization, res);
    if (url.pathname === '/login/oauth2/token' && method === 'DELETE')
      return this.logout(req.headers.authorization, res);
    json(res, 404, { errors: [{ message: 'The specified resource does not exist.' }] });
  }

  /**
   * What a click on "Authorize" (or "Cancel") does, for tests and the demo: the redirect URL
   * with `code` and `state`, or `error=access_denied`.
   */
  decide(authUrl: string, options: { userId: number; deny?: boolean }): string {
    const params = new URL(authUrl).searchParams;
    const problem = this.checkAuthRequest(params);
    if (problem) throw new Error(`The emulator refused the authorization request: ${problem}`);
    return this.redirectFor(params, options.deny ? undefined : options.userId);
  }

  private authorize(params: URLSearchParams, res: ServerResponse) {
    const problem = this.checkAuthRequest(params);
    if (problem) {
      // Canvas shows an error page rather than redirecting to an unverified redirect_uri.
      res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>Canvas</title><h1>Invalid request</h1><p>${escapeHtml(problem)}</p>`);
      return;
    }
    const users = [...this.state.users.values()];
    const preselected = this.defaultUserId();
    const hidden = [...params.entries()]
      .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
      .join('');
    const options = users
      .map(
        (u) =>
          `<option value="${u.id}"${u.id === preselected ? ' selected' : ''}>${escapeHtml(u.name)}</option>`,
      )
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>Authorize access</title><body>` +
        `<h1>An application is requesting access to your Canvas account</h1>` +
        `<form method="post" action="/login/oauth2/confirm">${hidden}` +
        `<label>Signed in as <select name="user_id">${options}</select></label> ` +
        `<button name="decision" value="authorize">Authorize</button> ` +
        `<button name="decision" value="cancel">Cancel</button></form></body></html>`,
    );
  }

  private confirm(form: URLSearchParams, res: ServerResponse) {
    const problem = this.checkAuthRequest(form);
    if (problem) return json(res, 400, { error: 'invalid_request', error_description: problem });
    const userId = Number(form.get('user_id'));
    if (form.get('decision') === 'authorize' && !this.state.users.has(userId))
      return json(res, 400, { error: 'invalid_request', error_description: 'unknown user' });
    const location = this.redirectFor(form, form.get('decision') === 'authorize' ? userId : undefined);
    res.writeHead(302, { location });
    res.end();
  }

  private checkAuthRequest(params: URLSearchParams): string | undefined {
    const key = this.keys.get(params.get('client_id') ?? '');
    if (!key) return 'unknown client_id';
    if (params.get('response_type') !== 'code') return 'response_type must be code';
    const redirect = params.get('redirect_uri');
    if (!redirect || !redirectAllowed(key, redirect)) return 'redirect_uri does not match client settings';
    return undefined;
  }

  private redirectFor(params: URLSearchParams, userId: number | undefined): string {
    const target = new URL(params.get('redirect_uri') ?? '');
    const state = params.get('state');
    if (userId === undefined) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The user denied the request');
    } else {
      const code = randomBytes(32).toString('hex');
      this.codes.set(code, {
        clientId: params.get('client_id') ?? '',
        redirectUri: params.get('redirect_uri') ?? '',
        userId,
        expiresAt: this.now() + CODE_TTL_MS,
        used: false,
      });
      target.searchParams.set('code', code);
    }
    if (state !== null) target.searchParams.set('state', state);
    return target.toString();
  }

  private token(form: URLSearchParams, authorization: string | undefined, res: ServerResponse) {
    let clientId = form.get('client_id') ?? '';
    let clientSecret = form.get('client_secret') ?? '';
    if (authorization?.startsWith('Basic ')) {
      const [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString().split(':');
      clientId = id ?? clientId;
      clientSecret = secret ?? clientSecret;
    }
    const key = this.keys.get(clientId);
    if (!key || key.clientSecret !== clientSecret)
      return json(res, 401, { error: 'invalid_client', error_description: 'unknown client' });
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (!code || code.used || code.expiresAt <= this.now() || code.clientId !== clientId)
        return json(res, 400, { error: 'invalid_grant', error_description: 'authorization_code not found' });
      if (form.get('redirect_uri') !== null && form.get('redirect_uri') !== code.redirectUri)
        return json(res, 400, { error: 'invalid_grant', error_description: 'redirect_uri mismatch' });
      code.used = true;
      const refreshToken = `${code.userId}~${randomBytes(48).toString('base64url')}`;
      const grant: RefreshGrant = {
        clientId,
        userId: code.userId,
        revoked: false,
        accessTokens: new Set(),
        current: null,
        issuedAt: 0,
      };
      this.refreshGrants.set(refreshToken, grant);
      return json(res, 200, { ...this.issueAccessToken(grant), refresh_token: refreshToken });
    }
    if (grantType === 'refresh_token') {
      const grant = this.refreshGrants.get(form.get('refresh_token') ?? '');
      if (!grant || grant.revoked || grant.clientId !== clientId)
        return json(res, 400, { error: 'invalid_grant', error_description: 'refresh_token not found' });
      return json(res, 200, this.refreshAccessToken(grant));
    }
    return json(res, 400, {
      error: 'unsupported_grant_type',
      error_description: 'grant_type must be authorization_code or refresh_token',
    });
  }

  /**
   * A refresh regenerates the grant's access token: the old string stops working at once
   * (canvas-lms lib/canvas/oauth/grant_types/refresh_token.rb, `regenerate_access_token`),
   * except within the spam interval of the last one, when that one is answered again.
   */
  private refreshAccessToken(grant: RefreshGrant) {
    const live = grant.current === null ? undefined : this.state.tokens.get(grant.current);
    if (live && !live.revoked && this.now() - grant.issuedAt < REFRESH_SPAM_INTERVAL_MS)
      return this.tokenAnswer(grant, live.token, live.expiresAt ?? this.now());
    if (live) live.revoked = true;
    return this.issueAccessToken(grant);
  }

  private issueAccessToken(grant: RefreshGrant) {
    const token = `${grant.userId}~${randomBytes(48).toString('base64url')}`;
    const expiresAt = this.now() + ACCESS_TOKEN_TTL_S * 1000;
    this.state.tokens.set(token, {
      token,
      userId: grant.userId,
      expiresAt,
      revoked: false,
      revokeAfter: null,
    });
    grant.accessTokens.add(token);
    grant.current = token;
    grant.issuedAt = this.now();
    return this.tokenAnswer(grant, token, expiresAt);
  }

  private tokenAnswer(grant: RefreshGrant, token: string, expiresAt: number) {
    const user = this.state.users.get(grant.userId);
    return {
      access_token: token,
      token_type: 'Bearer',
      user: {
        id: grant.userId,
        name: user?.name ?? '',
        global_id: String(grant.userId),
        effective_locale: 'en',
      },
      canvas_region: 'us-east-1',
      expires_in: Math.max(0, Math.round((expiresAt - this.now()) / 1000)),
    };
  }

  private logout(authorization: string | undefined, res: ServerResponse) {
    const token = (authorization ?? '').replace(/^Bearer\s+/i, '');
    const known = this.state.tokens.get(token);
    if (!known || known.revoked || (known.expiresAt !== null && known.expiresAt <= this.now())) {
      res.writeHead(401, {
        'content-type': 'application/json; charset=utf-8',
        'www-authenticate': 'Bearer realm="canvas-lms"',
      });
      res.end(JSON.stringify({ errors: [{ message: 'Invalid access token.' }] }));
      return;
    }
    known.revoked = true;
    for (const grant of this.refreshGrants.values()) {
      if (!grant.accessTokens.has(token)) continue;
      grant.revoked = true;
      for (const sibling of grant.accessTokens) {
        const issued = this.state.tokens.get(sibling);
        if (issued) issued.revoked = true;
      }
    }
    json(res, 200, {});
  }
}

function redirectAllowed(key: DeveloperKey, redirect: string): boolean {
  let target: URL;
  let registered: URL;
  try {
    target = new URL(redirect);
    registered = new URL(key.redirectUri);
  } catch {
    return false;
  }
  const loopback = (host: string) => ['127.0.0.1', 'localhost', '[::1]'].includes(host);
  if (loopback(registered.hostname)) return loopback(target.hostname);
  return target.hostname === registered.hostname || target.hostname.endsWith(`.${registered.hostname}`);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Canvas accepts the token request as a form or as JSON. */
async function formOrJson(req: IncomingMessage): Promise<URLSearchParams> {
  const body = await readBody(req);
  if ((req.headers['content-type'] ?? '').includes('application/json')) {
    try {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      return new URLSearchParams(
        Object.entries(parsed).flatMap(
          ([k, v]): Array<[string, string]> => (typeof v === 'string' ? [[k, v]] : []),
        ),
      );
    } catch {
      return new URLSearchParams();
    }
  }
  return new URLSearchParams(body);
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
