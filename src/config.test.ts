import { describe, expect, it } from 'vitest';
import { ConfigError, type Env, parseConfig } from './config.ts';
import { generateKey } from './crypto/key-ring.ts';

function configError(env: Env): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected parseConfig to throw a ConfigError');
}

describe('parseConfig', () => {
  it('runs on the embedded default with an empty environment', () => {
    const config = parseConfig({});
    expect(config.database.kind).toBe('pglite');
    expect(config.queue).toEqual({ kind: 'in-process' });
    expect(config.auth).toEqual({ kind: 'local', maxLifetimeSeconds: 86_400 });
    expect(config.google).toEqual({ kind: 'emulated' });
    expect(config.emulators).toBe(true);
    expect(config.http).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(config.dataDir).toMatch(/\.canvascal$/);
  });

  it('switches to Postgres, Redis, JWT auth and real Google from the environment', () => {
    const config = parseConfig({
      DATABASE_URL: 'postgres://u@db:5432/app',
      REDIS_URL: 'redis://cache:6379',
      AUTH_JWT_SECRET: 'x'.repeat(40),
      GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com',
      GOOGLE_CLIENT_SECRET: 's',
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/app',
      poolMax: 10,
      statementTimeoutMs: 30_000,
    });
    expect(config.queue).toEqual({ kind: 'bullmq', redisUrl: 'redis://cache:6379' });
    expect(config.auth.kind).toBe('jwt');
    expect(config.google.kind).toBe('real');
    expect(config.emulators).toBe(false);
  });

  it('reports every bad variable at once, naming each and what it expects', () => {
    const error = configError({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
      AUTH_JWT_SECRET: 'short',
    });
    const problems = error.problems.join('\n');
    expect(problems).toMatch(/PORT: must be a whole number from 0 to 65535, got "eighty"/);
    expect(problems).toMatch(/DATABASE_URL: must be a postgres/);
    expect(problems).toMatch(/LOG_LEVEL:/);
    expect(problems).toMatch(/AUTH_JWT_SECRET: must be at least 32 characters/);
    expect(error.problems).toHaveLength(4);
  });

  it('refuses production without encryption keys, user auth and a Google client, saying why', () => {
    const problems = configError({ NODE_ENV: 'production' }).problems;
    expect(
      problems.some((p) => p.startsWith('CANVASCAL_ENCRYPTION_KEYS: required when NODE_ENV=production')),
    ).toBe(true);
    expect(problems.some((p) => p.startsWith('AUTH_JWT_SECRET or AUTH_JWKS_URL'))).toBe(true);
    expect(problems.some((p) => p.startsWith('GOOGLE_CLIENT_ID'))).toBe(true);
  });

  it('reads TRUST_PROXY as the list of proxies whose headers are believed', () => {
    expect(parseConfig({}).http.trustedProxies).toEqual([]);
    expect(parseConfig({ TRUST_PROXY: '10.0.0.0/8, loopback,2001:db8::/32' }).http.trustedProxies).toEqual([
      '10.0.0.0/8',
      'loopback',
      '2001:db8::/32',
    ]);
    expect(configError({ TRUST_PROXY: '10.0.0.0/33,proxy.internal' }).problems[0]).toMatch(
      /^TRUST_PROXY: "10.0.0.0\/33", "proxy.internal" is not an address or CIDR range/,
    );
    const production = configError({ NODE_ENV: 'production', TRUST_PROXY: 'true' }).problems;
    expect(production.some((p) => p.startsWith('TRUST_PROXY: "true" trusts every peer'))).toBe(true);
  });

  it('refuses production user tokens from any issuer, naming the Supabase auth URL to set', () => {
    const production = { NODE_ENV: 'production', AUTH_JWT_SECRET: 'x'.repeat(40) };
    const problem = configError(production).problems.find((p) => p.startsWith('AUTH_JWT_ISSUER:'));
    expect(problem).toContain('https://<ref>.supabase.co/auth/v1');
    const withIssuer = configError({ ...production, AUTH_JWT_ISSUER: 'https://abc.supabase.co/auth/v1' });
    expect(withIssuer.problems.some((p) => p.startsWith('AUTH_JWT_ISSUER'))).toBe(false);
    expect(configError({ AUTH_JWT_ISSUER: 'supabase' }).problems[0]).toMatch(
      /^AUTH_JWT_ISSUER: must be a URL/,
    );
    expect(configError({ AUTH_JWT_MAX_LIFETIME_SECONDS: '31536000' }).problems[0]).toMatch(
      /^AUTH_JWT_MAX_LIFETIME_SECONDS: must be a whole number from 60 to 604800/,
    );
  });

  it('never echoes a secret value in an error', () => {
    const error = configError({ AUTH_JWT_SECRET: 'tiny-secret-value', GOOGLE_CLIENT_ID: 'x' });
    expect(error.problems).toHaveLength(2);
    expect(error.message).not.toContain('tiny-secret-value');
  });

  it('reads Canvas developer keys as JSON, normalising each Canvas address to its origin', () => {
    const config = parseConfig({
      CANVAS_DEVELOPER_KEYS:
        '[{"baseUrl":"https://canvas.school.edu/","clientId":"170000000000123","clientSecret":"k"}]',
    });
    expect(config.canvasDeveloperKeys).toEqual([
      { baseUrl: 'https://canvas.school.edu', clientId: '170000000000123', clientSecret: 'k' },
    ]);
    expect(parseConfig({}).canvasDeveloperKeys).toEqual([]);
  });

  it('allows personal Canvas tokens until developer keys are configured, unless forced', () => {
    const keys = '[{"baseUrl":"https://canvas.school.edu","clientId":"1","clientSecret":"k"}]';
    expect(parseConfig({}).canvasPersonalTokens).toBe(true);
    expect(parseConfig({ CANVAS_DEVELOPER_KEYS: keys }).canvasPersonalTokens).toBe(false);
    expect(
      parseConfig({ CANVAS_DEVELOPER_KEYS: keys, CANVAS_PERSONAL_TOKENS: 'on' }).canvasPersonalTokens,
    ).toBe(true);
    expect(parseConfig({ CANVAS_PERSONAL_TOKENS: 'off' }).canvasPersonalTokens).toBe(false);
  });

  it('says what is wrong with bad Canvas developer keys, without echoing the secret', () => {
    const notJson = configError({ CANVAS_DEVELOPER_KEYS: '{oops secret-abc' });
    expect(notJson.problems[0]).toMatch(/^CANVAS_DEVELOPER_KEYS: must be a JSON array/);
    expect(notJson.message).not.toContain('secret-abc');
    const incomplete = configError({
      CANVAS_DEVELOPER_KEYS: '[{"baseUrl":"not a url","clientId":"","clientSecret":"secret-xyz"}]',
    });
    expect(incomplete.problems.join('\n')).toMatch(/baseUrl must be the Canvas address/);
    expect(incomplete.problems.join('\n')).toMatch(/clientId is the developer key ID/);
    expect(incomplete.message).not.toContain('secret-xyz');
  });

  it('is frozen', () => {
    const config = parseConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.http)).toBe(true);
  });
  it('reports a malformed CANVASCAL_ENCRYPTION_KEYS as a configuration problem, without the key', () => {
    const key = generateKey('k1');
    const error = configError({ CANVASCAL_ENCRYPTION_KEYS: `${key.entry},${key.entry}`, PORT: 'x' });
    const problem = error.problems.find((p) => p.startsWith('CANVASCAL_ENCRYPTION_KEYS:'));
    expect(problem).toContain('the kid is used twice');
    expect(problem).toContain('canvascal keys generate');
    expect(error.problems.some((p) => p.startsWith('PORT:'))).toBe(true);
    expect(error.message).not.toContain(key.base64);
    expect(configError({ CANVASCAL_ENCRYPTION_KEYS: 'k1:short' }).problems[0]).toMatch(
      /^CANVASCAL_ENCRYPTION_KEYS: entry 1 \("k1"\): the key must be 32 bytes/,
    );
  });

  it('holds migrate and keys to what they use: no Google client or JWT secret in production', () => {
    const production = { NODE_ENV: 'production', DATABASE_URL: 'postgres://u@db:5432/app' };
    expect(parseConfig(production, { purpose: 'migrate' }).database.kind).toBe('postgres');
    const service = configError(production).problems;
    expect(service.some((p) => p.startsWith('GOOGLE_CLIENT_ID:'))).toBe(true);
    const forKeys = (() => {
      try {
        parseConfig(production, { purpose: 'keys' });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
      }
      return [];
    })();
    expect(forKeys).toEqual([expect.stringMatching(/^CANVASCAL_ENCRYPTION_KEYS: required/)]);
    const ring = generateKey('k1').entry;
    expect(
      parseConfig({ ...production, CANVASCAL_ENCRYPTION_KEYS: ring }, { purpose: 'keys' }).encryptionKeys,
    ).toBe(ring);
  });

  it('refuses an http PUBLIC_URL in production, as Google pushes only to HTTPS', () => {
    const base = { NODE_ENV: 'production' };
    const about = (env: Record<string, string>) =>
      configError(env).problems.filter((p) => p.startsWith('PUBLIC_URL:'));
    expect(about(base)[0]).toMatch(/set PUBLIC_URL=https:/);
    expect(about({ ...base, PUBLIC_URL: 'http://canvascal.example.edu' })).toHaveLength(1);
    expect(about({ ...base, PUBLIC_URL: 'https://canvascal.example.edu' })).toHaveLength(0);
    // A production-mode demo on the built-in emulator, which delivers to loopback http too.
    expect(about({ ...base, CANVASCAL_EMULATORS: 'on' })).toHaveLength(0);
  });

  it('paces Google to its standard quotas unless told the project has others, and bounds batches in flight', () => {
    const standard = parseConfig({});
    expect(standard.googleQuota).toEqual({ perUserPerMinute: 600, perProjectPerMinute: 10_000 });
    expect(standard.googleBatchesInFlight).toBe(3);
    const raised = parseConfig({
      GOOGLE_QUOTA_PER_USER_PER_MINUTE: '300',
      GOOGLE_QUOTA_PER_PROJECT_PER_MINUTE: '50000',
      GOOGLE_BATCHES_IN_FLIGHT: '4',
    });
    expect(raised.googleQuota).toEqual({ perUserPerMinute: 300, perProjectPerMinute: 50_000 });
    expect(raised.googleBatchesInFlight).toBe(4);
    expect(
      configError({ GOOGLE_BATCHES_IN_FLIGHT: '20', GOOGLE_QUOTA_PER_USER_PER_MINUTE: '0' }).problems,
    ).toEqual([
      'GOOGLE_QUOTA_PER_USER_PER_MINUTE: must be a whole number from 60 to 1000000, got "0"',
      'GOOGLE_BATCHES_IN_FLIGHT: must be a whole number from 1 to 8, got "20"',
    ]);
  });
});
