import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';

/** One request the stub answered, as the browser sent it. */
export interface StubRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  apikey: string | undefined;
  body: Record<string, unknown>;
}

export interface SupabaseAuthStub {
  /** The project URL to give the page (`SUPABASE_URL`). */
  url: string;
  /** The issuer its tokens carry (`AUTH_JWT_ISSUER`): `<url>/auth/v1`, as Supabase's. */
  issuer: string;
  requests: StubRequest[];
  /** Every access token it handed out, in order. */
  issued: string[];
  close(): Promise<void>;
}

/**
 * A stand-in for the few Supabase Auth (GoTrue) endpoints the page calls, shaped like the
 * real ones: `POST /auth/v1/token?grant_type=password` answers a session (`access_token`,
 * `token_type: "bearer"`, `expires_in`, `expires_at`, `refresh_token`, `user`) or, for a
 * wrong password, 400 `{ code, error_code: "invalid_credentials", msg }`;
 * `?grant_type=refresh_token` trades a refresh token, once, for a new session; `/otp` and
 * `/logout` answer as GoTrue does. Access tokens are HS256 JWTs signed with `secret`, as a
 * project using its JWT secret signs them. It answers CORS preflights, since the page's
 * origin is not the project's. `now` is the clock tokens are dated by.
 */
export async function startSupabaseAuthStub(options: {
  secret: string;
  anonKey: string;
  users: Array<{ email: string; password: string }>;
  now: () => number;
  /** How long its access tokens last (Supabase's default: an hour). */
  expiresInSeconds?: () => number;
}): Promise<SupabaseAuthStub> {
  const requests: StubRequest[] = [];
  const issued: string[] = [];
  const ids = new Map(options.users.map((u) => [u.email, randomUUID()]));
  let issuer = '';
  // Refresh tokens are single use, as Supabase's (rotation): each names the user it renews.
  const refreshTokens = new Map<string, string>();

  async function session(email: string) {
    const id = ids.get(email) ?? randomUUID();
    const iat = Math.floor(options.now() / 1000);
    const expiresIn = options.expiresInSeconds?.() ?? 3600;
    const accessToken = await new SignJWT({
      email,
      role: 'authenticated',
      aal: 'aal1',
      session_id: randomUUID(),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience('authenticated')
      .setSubject(id)
      .setIssuedAt(iat)
      .setExpirationTime(iat + expiresIn)
      .sign(new TextEncoder().encode(options.secret));
    issued.push(accessToken);
    const refreshToken = randomUUID().replaceAll('-', '').slice(0, 12);
    refreshTokens.set(refreshToken, email);
    const at = new Date(options.now()).toISOString();
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: expiresIn,
      expires_at: iat + expiresIn,
      refresh_token: refreshToken,
      user: {
        id,
        aud: 'authenticated',
        role: 'authenticated',
        email,
        email_confirmed_at: at,
        app_metadata: { provider: 'email', providers: ['email'] },
        user_metadata: {},
        identities: [],
        created_at: at,
        updated_at: at,
      },
    };
  }

  async function answer(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://stub');
    response.setHeader('access-control-allow-origin', request.headers.origin ?? '*');
    if (request.method === 'OPTIONS') {
      response.writeHead(204, {
        'access-control-allow-methods': 'GET, POST, PUT, DELETE, OPTIONS',
        'access-control-allow-headers': String(request.headers['access-control-request-headers'] ?? ''),
        'access-control-max-age': '600',
      });
      return response.end();
    }
    let text = '';
    for await (const chunk of request) text += String(chunk);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const apikey = typeof request.headers.apikey === 'string' ? request.headers.apikey : undefined;
    requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      apikey,
      body,
    });
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    // Supabase's gateway refuses a call without the project's key.
    if (apikey !== options.anonKey)
      return json(401, {
        message: 'No API key found in request',
        hint: 'No `apikey` request header or url param was found.',
      });
    const route = `${request.method} ${url.pathname}`;
    if (route === 'POST /auth/v1/token' && url.searchParams.get('grant_type') === 'password') {
      const user = options.users.find((u) => u.email === body.email && u.password === body.password);
      if (!user)
        return json(400, { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
      return json(200, await session(user.email));
    }
    if (route === 'POST /auth/v1/token' && url.searchParams.get('grant_type') === 'refresh_token') {
      const email = refreshTokens.get(String(body.refresh_token));
      if (!email)
        return json(400, {
          code: 400,
          error_code: 'refresh_token_not_found',
          msg: 'Invalid Refresh Token: Refresh Token Not Found',
        });
      refreshTokens.delete(String(body.refresh_token));
      return json(200, await session(email));
    }
    if (route === 'POST /auth/v1/otp') return json(200, {});
    if (route === 'POST /auth/v1/logout') {
      response.writeHead(204);
      return response.end();
    }
    return json(404, { code: 404, error_code: 'not_found', msg: `${route} is not stubbed` });
  }

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      response.writeHead(500);
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  issuer = `${url}/auth/v1`;
  return {
    url,
    issuer,
    requests,
    issued,
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
