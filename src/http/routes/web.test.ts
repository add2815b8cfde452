import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../config.ts';
import { type Database, openPglite } from '../../db/client.ts';
import { migrate } from '../../db/migrate.ts';
import { createUsersRepo } from '../../db/users-repo.ts';
import { createLogger } from '../../logging.ts';
import { createMetrics } from '../../metrics.ts';
import { createLocalAuth } from '../auth.ts';
import type { HttpApp } from '../http-app.ts';
import { buildHttpServer } from '../server.ts';
import { webRoutes } from './web.ts';

const SUPABASE = {
  SUPABASE_URL: 'https://abcdefgh.supabase.co/',
  SUPABASE_ANON_KEY: 'sb_publishable_test-anon-key',
  AUTH_JWT_SECRET: 'a-test-secret-that-is-long-enough-for-hs256!!',
  AUTH_JWT_ISSUER: 'https://abcdefgh.supabase.co/auth/v1',
};

let db: Database;
beforeAll(async () => {
  db = await openPglite('memory://');
  await migrate(db);
});
afterAll(async () => db.close());

/** The HTTP server as app.ts builds it, with only the web routes, from these variables. */
async function serve(env: Record<string, string>): Promise<HttpApp> {
  const config = parseConfig({ NODE_ENV: 'test', ...env });
  return buildHttpServer({
    config,
    logger: createLogger({ level: 'silent', format: 'json' }),
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: [],
    auth: createLocalAuth(SUPABASE.AUTH_JWT_SECRET),
    users: createUsersRepo(db.orm),
    apiRoutes: [],
    publicRoutes: [webRoutes({ supabase: config.supabase })],
  });
}

function connectSrc(csp: unknown): string | undefined {
  return String(csp)
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith('connect-src'));
}

describe('/web/config.json and the page CSP', () => {
  it('tells the page to sign in locally, and lets it connect to its own origin only, on the embedded default', async () => {
    const app = await serve({});
    const config = await app.inject({ method: 'GET', url: '/web/config.json' });
    expect(config.statusCode).toBe(200);
    expect(config.json()).toEqual({ signIn: 'local' });
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(connectSrc(page.headers['content-security-policy'])).toBe("connect-src 'self'");
    await app.close();
  });

  it('gives the page the Supabase project URL and anon key, and allows that origin alone in connect-src', async () => {
    const app = await serve(SUPABASE);
    const config = await app.inject({ method: 'GET', url: '/web/config.json' });
    expect(config.json()).toEqual({
      signIn: 'supabase',
      supabase: { url: 'https://abcdefgh.supabase.co', anonKey: SUPABASE.SUPABASE_ANON_KEY },
    });
    // Nothing secret goes to the browser: not the JWT secret the API verifies with.
    expect(config.body).not.toContain(SUPABASE.AUTH_JWT_SECRET);
    for (const url of ['/', '/web/app.js', '/web/config.json']) {
      const answer = await app.inject({ method: 'GET', url });
      expect(connectSrc(answer.headers['content-security-policy'])).toBe(
        "connect-src 'self' https://abcdefgh.supabase.co",
      );
      expect(String(answer.headers['content-security-policy'])).toContain("script-src 'self'");
    }
    await app.close();
  });

  it('serves supabase-js as a same-origin script', async () => {
    const app = await serve(SUPABASE);
    const script = await app.inject({ method: 'GET', url: '/vendor/supabase.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.body).toContain('createClient');
    await app.close();
  });
});

describe('SUPABASE_URL and SUPABASE_ANON_KEY', () => {
  function problems(env: Record<string, string>): readonly string[] {
    try {
      parseConfig({ NODE_ENV: 'test', ...env });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  }

  it('are both needed, with a way for the API to verify the tokens Supabase issues', () => {
    expect(problems(SUPABASE)).toEqual([]);
    expect(problems({ ...SUPABASE, SUPABASE_ANON_KEY: '' })).toEqual([
      expect.stringContaining('SUPABASE_URL and SUPABASE_ANON_KEY: set both'),
    ]);
    expect(problems({ SUPABASE_URL: SUPABASE.SUPABASE_URL, SUPABASE_ANON_KEY: 'k' })).toEqual([
      expect.stringContaining('SUPABASE_URL: needs AUTH_JWT_SECRET or AUTH_JWKS_URL'),
    ]);
    expect(problems({ ...SUPABASE, SUPABASE_URL: 'not a url' })).toEqual([
      expect.stringContaining('SUPABASE_URL: must be a URL'),
    ]);
  });

  it('leave the page on the local sign-in when unset', () => {
    expect(parseConfig({ NODE_ENV: 'test' }).supabase).toBeUndefined();
  });
});
