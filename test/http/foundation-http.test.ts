import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../src/config.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { createJwtVerifier, createLocalAuth, type TokenVerifier } from '../../src/http/auth.ts';
import type { HttpApp } from '../../src/http/http-app.ts';
import { localLoginRoutes } from '../../src/http/routes/local-login.ts';
import { meRoutes } from '../../src/http/routes/me.ts';
import { buildHttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/logging.ts';
import { createMetrics } from '../../src/metrics.ts';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!!';

let db: Database;
beforeAll(async () => {
  db = await openPglite('memory://');
  await migrate(db);
});
afterAll(async () => db.close());

let app: HttpApp | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(
  options: {
    verifier?: TokenVerifier;
    rateLimit?: number;
    ready?: boolean;
    logs?: string[];
    config?: Partial<Pick<Config, 'env' | 'metricsToken'>>;
  } = {},
) {
  const config: Config = {
    ...parseConfig({ NODE_ENV: 'test', RATE_LIMIT_PER_MINUTE: String(options.rateLimit ?? 300) }),
    ...options.config,
  };
  const local = createLocalAuth(SECRET);
  const logs = options.logs;
  const destination = new Writable({
    write(chunk, _enc, done) {
      logs?.push(String(chunk));
      done();
    },
  });
  const users = createUsersRepo(db.orm);
  app = await buildHttpServer({
    config,
    logger: createLogger({ level: logs ? 'trace' : 'silent', format: 'json' }, destination),
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: [
      { name: 'database', check: () => db.ping() },
      {
        name: 'queue',
        check: async () => (options.ready === false ? Promise.reject(new Error('refused')) : undefined),
      },
    ],
    auth: options.verifier ?? local,
    users,
    apiRoutes: [meRoutes({ users })],
    publicRoutes: [localLoginRoutes(local)],
  });
  return { app, local };
}

async function login(target: HttpApp, email = 'student@example.edu'): Promise<string> {
  const res = await target.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: { email } });
  expect(res.statusCode).toBe(200);
  return res.json().accessToken;
}

describe('health, readiness, metrics and docs', () => {
  it('answers /healthz and /readyz when everything is reachable', async () => {
    const { app } = await build();
    expect((await app.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok' } });
  });

  it('answers 503 from /readyz naming what is down', async () => {
    const { app } = await build({ ready: false });
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'not_ready', checks: { queue: 'down: refused' } });
    expect(res.json().error.message).toBe('Not reachable: queue');
  });

  it('serves Prometheus metrics that count requests by route', async () => {
    const { app } = await build();
    await app.inject('/healthz');
    const res = await app.inject('/metrics');
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /canvascal_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
    );
  });

  it('in production, serves metrics only to a caller with METRICS_TOKEN, and none without one', async () => {
    const token = 'm'.repeat(40);
    const { app: guarded } = await build({ config: { env: 'production', metricsToken: token } });
    const anonymous = await guarded.inject('/metrics');
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error).toMatchObject({
      code: 'metrics_token_required',
      message: expect.stringMatching(/Authorization: Bearer <METRICS_TOKEN>/),
    });
    const wrong = await guarded.inject({
      url: '/metrics',
      headers: { authorization: `Bearer ${'x'.repeat(40)}` },
    });
    expect(wrong.statusCode).toBe(401);
    const allowed = await guarded.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(allowed.statusCode).toBe(200);
    expect(allowed.body).toContain('canvascal_http_requests_total');
    await guarded.close();
    const { app: closed } = await build({ config: { env: 'production', metricsToken: undefined } });
    const off = await closed.inject('/metrics');
    expect(off.statusCode).toBe(404);
    expect(off.json().error.message).toMatch(/until METRICS_TOKEN is set/);
  });

  it('publishes the OpenAPI document and UI at /docs', async () => {
    const { app } = await build();
    expect((await app.inject('/docs')).statusCode).toBeLessThan(400);
    const spec = (await app.inject('/docs/json')).json();
    expect(spec.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/me', '/api/v1/auth/local/login']),
    );
  });

  it('sends helmet headers', async () => {
    const { app } = await build();
    const res = await app.inject('/healthz');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
  });
});

describe('errors have one shape', () => {
  it('answers an unknown route with a 404 error body', async () => {
    const { app } = await build();
    const res = await app.inject('/nope?x=1');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'No route GET /nope' } });
  });

  it('answers a body that fails validation with 400 naming the field', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      payload: { email: 'not-an-email' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(res.json().error.message).toContain('body.email');
  });

  it('refuses local sign-in to anything but a direct caller on this machine', async () => {
    const { app } = await build();
    const login = (headers: Record<string, string>, remoteAddress = '127.0.0.1') =>
      app.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {}, headers, remoteAddress });
    expect((await login({})).statusCode).toBe(200);
    expect((await login({}, '203.0.113.5')).statusCode).toBe(403);
    // A spoofed (or a local proxy's) forwarding header: the visitor is not on this machine.
    expect((await login({ 'x-forwarded-for': '127.0.0.1' }, '203.0.113.5')).statusCode).toBe(403);
    expect((await login({ 'x-forwarded-for': '203.0.113.5' })).statusCode).toBe(403);
    expect((await login({ forwarded: 'for=203.0.113.5' })).statusCode).toBe(403);
    // Vendor headers prove a relay just as well: a tunnel on this machine makes visitors look local.
    for (const header of ['true-client-ip', 'cf-connecting-ip', 'x-real-ip', 'x-forwarded-proto'])
      expect((await login({ [header]: '203.0.113.5' })).statusCode, header).toBe(403);
  });

  it('refuses local sign-in to a page that rebinds its name to this machine, or any cross-site page', async () => {
    const { app } = await build();
    const login = (headers: Record<string, string>) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {}, headers });
    for (const host of ['127.0.0.1:3000', 'localhost:3000', '[::1]:3000', 'LOCALHOST'])
      expect((await login({ host })).statusCode, host).toBe(200);
    for (const host of [
      'attacker.example:3000',
      'attacker.example',
      '127.0.0.1.nip.io:3000',
      '10.0.0.1:3000',
    ]) {
      const res = await login({ host });
      expect(res.statusCode, host).toBe(403);
      expect(res.json().error).toMatchObject({
        code: 'local_sign_in_refused',
        message: expect.stringMatching(/Host 127.0.0.1, localhost or \[::1\]/),
      });
    }
    const sameOrigin = {
      host: '127.0.0.1:3000',
      origin: 'http://127.0.0.1:3000',
      'sec-fetch-site': 'same-origin',
    };
    expect((await login(sameOrigin)).statusCode).toBe(200);
    const crossSite: Record<string, string>[] = [
      { host: '127.0.0.1:3000', origin: 'http://attacker.example' },
      { host: '127.0.0.1:3000', origin: 'http://127.0.0.1:4000' },
      { host: '127.0.0.1:3000', origin: 'null' },
      { host: '127.0.0.1:3000', 'sec-fetch-site': 'cross-site' },
      { host: '127.0.0.1:3000', 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of crossSite) {
      const res = await login(headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(res.json().error).toMatchObject({
        code: 'cross_site_request',
        message: expect.stringMatching(/refuses cross-site requests.*http:\/\/127.0.0.1:3000/),
      });
    }
  });

  it("on a real socket, answers local sign-in only at this server's own port", async () => {
    const { app } = await build();
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const post = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/api/v1/auth/local/login',
            headers: { host, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end('{}');
      });
    expect(await post(`127.0.0.1:${port}`)).toBe(200);
    expect(await post(`localhost:${port}`)).toBe(200);
    expect(await post(`localhost:${port === 9 ? 10 : 9}`)).toBe(403);
    expect(await post('localhost')).toBe(403);
  });

  it('answers malformed JSON with 400', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('bad_request');
  });

  it('rate-limits /api with a 429 in the same shape', async () => {
    const { app } = await build({ rateLimit: 3 });
    const codes = [];
    for (let i = 0; i < 4; i++) {
      codes.push(
        (await app.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} })).statusCode,
      );
    }
    expect(codes).toEqual([200, 200, 200, 429]);
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} });
    expect(res.json().error.code).toBe('rate_limited');
    // Health checks are not limited.
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('counts refused tokens against the address, so guessing tokens is limited too', async () => {
    const { app } = await build({ rateLimit: 3 });
    const token = await login(app);
    const from = '203.0.113.9';
    const guess = (authorization?: string) =>
      app.inject({ url: '/api/v1/me', remoteAddress: from, headers: authorization ? { authorization } : {} });
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await guess(`Bearer guess.${i}.x`)).statusCode);
    expect(codes).toEqual([401, 401, 401]);
    const limited = await guess('Bearer guess.3.x');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await guess()).statusCode).toBe(429);
    // A signed-in user behind the same address has their own budget.
    expect((await guess(`Bearer ${token}`)).statusCode).toBe(200);
  });
});

describe('authentication', () => {
  it('requires a token on /api/v1 and says how to send one', async () => {
    const { app } = await build();
    const res = await app.inject('/api/v1/me');
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toEqual({
      code: 'missing_token',
      message: 'Sign in first: send Authorization: Bearer <token>.',
    });
    const bad = await app.inject({ url: '/api/v1/me', headers: { authorization: 'Bearer abc.def.ghi' } });
    expect(bad.json().error.code).toBe('invalid_token');
  });

  it('signs a local user in and shows them only their own record', async () => {
    const { app } = await build();
    const alice = await login(app, 'alice@example.edu');
    const bob = await login(app, 'bob@example.edu');
    const a = (await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${alice}` } })).json();
    const b = (await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${bob}` } })).json();
    expect(a.email).toBe('alice@example.edu');
    expect(b.email).toBe('bob@example.edu');
    expect(a.id).not.toBe(b.id);
  });

  it('refuses local sign-in from another machine', async () => {
    const { app } = await build();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      payload: {},
      remoteAddress: '10.1.2.3',
    });
    expect(res.statusCode).toBe(403);
  });

  it('accepts a Supabase HS256 token and rejects expired and wrong-audience ones', async () => {
    const { app } = await build({
      verifier: createJwtVerifier({ secret: SECRET, audience: 'authenticated' }),
    });
    const key = new TextEncoder().encode(SECRET);
    const sub = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
    const sign = (aud: string, exp: string | number) =>
      new SignJWT({ email: 'sb@example.edu' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(sub)
        .setAudience(aud)
        .setExpirationTime(exp)
        .sign(key);
    const ok = await app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${await sign('authenticated', '1h')}` },
    });
    expect(ok.json()).toMatchObject({ id: sub, email: 'sb@example.edu' });
    const expired = await app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${await sign('authenticated', Math.floor(Date.now() / 1000) - 60)}` },
    });
    expect(expired.json().error.code).toBe('token_expired');
    const wrongAud = await app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${await sign('anon', '1h')}` },
    });
    expect(wrongAud.statusCode).toBe(401);
  });

  it('accepts an RS256 token verified against a JWKS URL', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' };
    const jwksServer: Server = createServer((_req, res) => res.end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((done) => jwksServer.listen(0, '127.0.0.1', done));
    try {
      const url = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
      const { app } = await build({
        verifier: createJwtVerifier({ jwksUrl: url, audience: 'authenticated' }),
      });
      const sub = '0d1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setSubject(sub)
        .setAudience('authenticated')
        .setExpirationTime('1h')
        .sign(privateKey);
      const res = await app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
      expect(res.statusCode).toBe(200);
      expect(res.json().id).toBe(sub);
    } finally {
      jwksServer.close();
    }
  });
});

describe('logging', () => {
  it('never writes a bearer token or an OAuth code it was sent', async () => {
    const logs: string[] = [];
    const { app } = await build({ logs });
    const token = await login(app);
    await app.inject({
      url: '/api/v1/me?code=4/oauth-code-SECRET&state=st4te-SECRET',
      headers: { authorization: `Bearer ${token}` },
    });
    await app.inject({
      url: '/nope?access_token=ya29.SECRET-ACCESS',
      headers: { cookie: 'session=SECRET-COOKIE' },
    });
    const text = logs.join('');
    expect(logs.length).toBeGreaterThan(2);
    expect(text).toContain('/api/v1/me?code=[Redacted]');
    for (const secret of [token, 'oauth-code-SECRET', 'st4te-SECRET', 'SECRET-ACCESS', 'SECRET-COOKIE']) {
      expect(text).not.toContain(secret);
    }
  });
});
