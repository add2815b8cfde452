import { resolve } from 'node:path';
import { z } from 'zod';
import { type ConfigPurpose, crossVariableProblems } from './config-rules.ts';
import { CipherError, keyRingFromString } from './crypto/key-ring.ts';
import { parseTrustedProxies } from './http/proxy-trust.ts';

/**
 * The environment, parsed once into a frozen object. Nothing else reads `process.env`:
 * every module takes the slice of Config it needs, and tests build one with `parseConfig`.
 */

const optionalString = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const optionalUrl = (what: string) =>
  optionalString.refine((value) => value === undefined || URL.canParse(value), {
    message: `must be a URL (${what})`,
  });

const booleanFlag = (fallback: boolean) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true;
      if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
      ctx.addIssue({ code: 'custom', message: `must be true or false, got "${value}"` });
      return z.NEVER;
    });

// A school's Canvas developer key; the secret is never logged (see logging.ts redaction).

const integer = (fallback: number, min: number, max: number) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value === '') return fallback;
      const parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a whole number from ${min} to ${max}, got "${value}"`,
        });
        return z.NEVER;
      }
      return parsed;
    });

// A school's Canvas developer key; the secret is never logged (see logging.ts redaction).
const DeveloperKeysSchema = z.array(
  z.object({
    baseUrl: z
      .url({ message: 'baseUrl must be the Canvas address, e.g. https://canvas.school.edu' })
      .transform((url) => new URL(url).origin),
    clientId: z.string().trim().min(1, 'clientId is the developer key ID'),
    clientSecret: z.string().trim().min(1, 'clientSecret is the developer key'),
  }),
);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  PORT: integer(3000, 0, 65535),
  PUBLIC_URL: optionalUrl('the address users and Google reach this service at'),
  CANVASCAL_DATA_DIR: z.string().trim().min(1).default('./.canvascal'),
  DATABASE_URL: optionalString.refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
    message: 'must be a postgres:// or postgresql:// URL',
  }),
  DATABASE_POOL_MAX: integer(10, 1, 200),
  DATABASE_STATEMENT_TIMEOUT_MS: integer(30_000, 100, 3_600_000),
  REDIS_URL: optionalString.refine((value) => value === undefined || /^rediss?:\/\//.test(value), {
    message: 'must be a redis:// or rediss:// URL',
  }),
  // Checked here so a bad ring is one more configuration problem, not a stack trace at startup.
  CANVASCAL_ENCRYPTION_KEYS: optionalString.superRefine((value, ctx) => {
    if (value === undefined) return;
    try {
      keyRingFromString(value);
    } catch (error) {
      if (!(error instanceof CipherError)) throw error;
      ctx.addIssue({
        code: 'custom',
        message: `${error.message} (expected kid:base64key[,kid:base64key…], new key first; make a key with \`canvascal keys generate\`)`,
      });
    }
  }),
  AUTH_JWT_SECRET: optionalString.refine((value) => value === undefined || value.length >= 32, {
    message: 'must be at least 32 characters (the Supabase JWT secret)',
  }),
  AUTH_JWKS_URL: optionalUrl(
    'the JWKS endpoint, e.g. https://<project>.supabase.co/auth/v1/.well-known/jwks.json',
  ),
  AUTH_JWT_ISSUER: optionalUrl("the Supabase project's auth URL, https://<ref>.supabase.co/auth/v1"),
  AUTH_JWT_MAX_LIFETIME_SECONDS: integer(24 * 3600, 60, 7 * 24 * 3600),
  AUTH_JWT_AUDIENCE: z.string().trim().min(1).default('authenticated'),
  GOOGLE_CLIENT_ID: optionalString,
  GOOGLE_CLIENT_SECRET: optionalString,
  GOOGLE_REDIRECT_URI: optionalUrl('the OAuth redirect registered in the Google Cloud console'),
  CANVAS_DEVELOPER_KEYS: optionalString.transform((value, ctx) => {
    if (value === undefined) return [];
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message:
          'must be a JSON array like [{"baseUrl":"https://canvas.school.edu","clientId":"…","clientSecret":"…"}]',
      });
      return z.NEVER;
    }
    const keys = DeveloperKeysSchema.safeParse(parsed);
    if (!keys.success) {
      for (const issue of keys.error.issues)
        ctx.addIssue({ code: 'custom', message: `[${issue.path.join('.')}] ${issue.message}` });
      return z.NEVER;
    }
    return keys.data;
  }),
  CANVAS_PERSONAL_TOKENS: z.enum(['auto', 'on', 'off']).default('auto'),
  CANVASCAL_EMULATORS: z.enum(['auto', 'on', 'off']).default('auto'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  RATE_LIMIT_PER_MINUTE: integer(300, 1, 100_000),
  SYNC_INTERVAL_MINUTES: integer(30, 0, 24 * 60),
  WORKER_CONCURRENCY: integer(4, 1, 256),
  SHUTDOWN_TIMEOUT_MS: integer(25_000, 0, 600_000),
  METRICS_TOKEN: optionalString.refine((value) => value === undefined || value.length >= 32, {
    message: 'must be at least 32 characters (make one with `openssl rand -base64 32`)',
  }),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const parsed = parseTrustedProxies(value ?? '');
      if ('list' in parsed) return parsed.list;
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }),
  CANVASCAL_ACCESS_TOKEN: optionalString,
  GOOGLE_TIMEOUT_MS: integer(30_000, 50, 600_000),
  GOOGLE_API_URL: optionalUrl("where Google's Calendar API and OAuth endpoints are, e.g. a staging emulator"),
  ALLOW_CUSTOM_ENDPOINTS: booleanFlag(false),
  WORKER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  GOOGLE_QUOTA_PER_USER_PER_MINUTE: integer(600, 60, 1_000_000), // a batch of 50 must fit in a minute
  GOOGLE_QUOTA_PER_PROJECT_PER_MINUTE: integer(10_000, 60, 100_000_000),
  GOOGLE_BATCHES_IN_FLIGHT: integer(3, 1, 8),
  PUSH_DEBOUNCE_MS: integer(30_000, 50, 600_000),
  PLANNER_WORKERS: integer(1, 1, 16),
  SUPABASE_URL: optionalUrl(
    "the Supabase project's URL, https://<ref>.supabase.co (the page signs in there)",
  ),
  SUPABASE_ANON_KEY: optionalString,
});

export type Env = Record<string, string | undefined>;

export interface Config {
  readonly env: 'development' | 'production' | 'test';
  readonly http: {
    readonly host: string;
    readonly port: number;
    /** Where users and Google reach this service; no trailing slash. */
    readonly publicUrl: string;
    /**
     * The peers whose proxy headers are believed (addresses, CIDR ranges, or `loopback`…);
     * empty: none, and the socket is the truth. See http/proxy-trust.ts.
     */
    readonly trustedProxies: readonly string[];
  };
  readonly dataDir: string;
  readonly database:
    | { readonly kind: 'pglite'; readonly dataDir: string }
    | {
        readonly kind: 'postgres';
        readonly url: string;
        readonly poolMax: number;
        readonly statementTimeoutMs: number;
      };
  readonly queue: { readonly kind: 'in-process' } | { readonly kind: 'bullmq'; readonly redisUrl: string };
  /** The key ring string, or undefined in the embedded default (a local key file is used). */
  readonly encryptionKeys: string | undefined;
  /** User tokens: how they are verified; `maxLifetimeSeconds` bounds `exp - iat` for every kind. */
  readonly auth:
    | { readonly kind: 'local'; readonly maxLifetimeSeconds: number }
    | {
        readonly kind: 'jwt';
        readonly maxLifetimeSeconds: number;
        readonly secret: string | undefined;
        readonly jwksUrl: string | undefined;
        readonly issuer: string | undefined;
        readonly audience: string;
      };
  readonly google:
    | { readonly kind: 'emulated' }
    | {
        readonly kind: 'real';
        readonly clientId: string;
        readonly clientSecret: string;
        readonly redirectUri: string | undefined;
        /** Google's API and OAuth root instead of Google's own (a staging setup); no trailing slash. */
        readonly apiUrl: string | undefined;
      };
  /** Canvas developer keys per Canvas origin, for OAuth2 (the hosted, multi-user way). */
  readonly canvasDeveloperKeys: ReadonlyArray<{
    readonly baseUrl: string;
    readonly clientId: string;
    readonly clientSecret: string;
  }>;
  /**
   * Whether students may connect with a personal access token. Canvas's terms forbid asking
   * for them in a multi-user service, so `auto` turns them off once developer keys are set.
   */
  readonly canvasPersonalTokens: boolean;
  readonly emulators: boolean;
  readonly log: { readonly level: string; readonly format: 'json' | 'pretty' };
  readonly rateLimitPerMinute: number;
  readonly syncIntervalMinutes: number;
  readonly workerConcurrency: number;
  readonly shutdownTimeoutMs: number;
  /** The bearer token `/metrics` asks for; without it, production serves no metrics. */
  readonly metricsToken: string | undefined;
  /** `canvascal mcp` against a deployed CanvasCal: the student's access token (never logged). */
  readonly mcpAccessToken: string | undefined;
  /** How long one Google request may take before it fails as transient (and is retried). */
  readonly googleTimeoutMs: number;
  /** Where a worker process serves /healthz, /readyz and /metrics; undefined: not served. */
  readonly workerPort: number | undefined;
  /**
   * Where the web page signs students in (Supabase Auth in the browser); undefined: the
   * local one-click sign-in. Both values are public by design (the anon key grants nothing
   * that row level security does not).
   */
  readonly supabase: { readonly url: string; readonly anonKey: string } | undefined;
  /** The Google Cloud project's Calendar quotas CanvasCal paces itself to (Google's standard: 600 / 10,000). */
  readonly googleQuota: { readonly perUserPerMinute: number; readonly perProjectPerMinute: number };
  /** Batches of event writes one sync keeps in flight. */
  readonly googleBatchesInFlight: number;
  /** The push debounce window; separate-process tests shrink it, as no fake clock reaches them. */
  readonly pushDebounceMs: number;
  /** Worker threads that run the study planner off the request thread. */
  readonly plannerWorkers: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export type { ConfigPurpose };

/** Parses the environment; every bad variable is reported at once in one ConfigError. */
export function parseConfig(env: Env, options: { isTty?: boolean; purpose?: ConfigPurpose } = {}): Config {
  const parsed = EnvSchema.safeParse(env);
  // Cross-variable rules read the raw values, so they are reported together with the
  // per-variable ones instead of after the user has fixed those.
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`)),
    ...crossVariableProblems(env, options.purpose ?? 'service'),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';

  const dataDir = resolve(e.CANVASCAL_DATA_DIR);
  const emulators =
    e.CANVASCAL_EMULATORS === 'on' || (e.CANVASCAL_EMULATORS === 'auto' && !e.GOOGLE_CLIENT_ID);
  const jwtConfigured = e.AUTH_JWT_SECRET !== undefined || e.AUTH_JWKS_URL !== undefined;

  const config: Config = {
    env: e.NODE_ENV,
    http: {
      host: e.HOST,
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST === '0.0.0.0' ? '127.0.0.1' : e.HOST}:${e.PORT}`).replace(
        /\/+$/,
        '',
      ),
      trustedProxies: e.TRUST_PROXY,
    },
    dataDir,
    database: e.DATABASE_URL
      ? {
          kind: 'postgres',
          url: e.DATABASE_URL,
          poolMax: e.DATABASE_POOL_MAX,
          statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
        }
      : { kind: 'pglite', dataDir: resolve(dataDir, 'pgdata') },
    queue: e.REDIS_URL ? { kind: 'bullmq', redisUrl: e.REDIS_URL } : { kind: 'in-process' },
    encryptionKeys: e.CANVASCAL_ENCRYPTION_KEYS,
    auth: jwtConfigured
      ? {
          kind: 'jwt',
          secret: e.AUTH_JWT_SECRET,
          jwksUrl: e.AUTH_JWKS_URL,
          issuer: e.AUTH_JWT_ISSUER,
          audience: e.AUTH_JWT_AUDIENCE,
          maxLifetimeSeconds: e.AUTH_JWT_MAX_LIFETIME_SECONDS,
        }
      : { kind: 'local', maxLifetimeSeconds: e.AUTH_JWT_MAX_LIFETIME_SECONDS },
    google:
      e.GOOGLE_CLIENT_ID && e.GOOGLE_CLIENT_SECRET
        ? {
            kind: 'real',
            clientId: e.GOOGLE_CLIENT_ID,
            clientSecret: e.GOOGLE_CLIENT_SECRET,
            redirectUri: e.GOOGLE_REDIRECT_URI,
            apiUrl: e.GOOGLE_API_URL?.replace(/\/+$/, ''),
          }
        : { kind: 'emulated' },
    canvasDeveloperKeys: e.CANVAS_DEVELOPER_KEYS,
    canvasPersonalTokens:
      e.CANVAS_PERSONAL_TOKENS === 'on' ||
      (e.CANVAS_PERSONAL_TOKENS === 'auto' && e.CANVAS_DEVELOPER_KEYS.length === 0),
    emulators,
    log: {
      level: e.LOG_LEVEL,
      format: e.LOG_FORMAT === 'auto' ? (!production && options.isTty ? 'pretty' : 'json') : e.LOG_FORMAT,
    },
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    syncIntervalMinutes: e.SYNC_INTERVAL_MINUTES,
    workerConcurrency: e.WORKER_CONCURRENCY,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    mcpAccessToken: e.CANVASCAL_ACCESS_TOKEN,
    googleTimeoutMs: e.GOOGLE_TIMEOUT_MS,
    workerPort: e.WORKER_PORT,
    supabase:
      e.SUPABASE_URL && e.SUPABASE_ANON_KEY
        ? { url: e.SUPABASE_URL.replace(/\/+$/, ''), anonKey: e.SUPABASE_ANON_KEY }
        : undefined,
    googleQuota: {
      perUserPerMinute: e.GOOGLE_QUOTA_PER_USER_PER_MINUTE,
      perProjectPerMinute: e.GOOGLE_QUOTA_PER_PROJECT_PER_MINUTE,
    },
    googleBatchesInFlight: e.GOOGLE_BATCHES_IN_FLIGHT,
    pushDebounceMs: e.PUSH_DEBOUNCE_MS,
    plannerWorkers: e.PLANNER_WORKERS,
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** The names of every variable the schema knows, for the README table test. */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape);
