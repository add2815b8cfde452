import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRemoteJWKSet, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type AppError, unauthorized } from '../errors.ts';

/** Who is calling: the `sub` of a verified JWT (a Supabase user id) and its email. */
export interface AuthUser {
  id: string;
  email: string | undefined;
}

/** Verifies a Bearer token; rejects with a 401 AppError saying what is wrong, never why in crypto terms. */
export interface TokenVerifier {
  verify(token: string): Promise<AuthUser>;
}

/** Issues tokens for the embedded default's single-user login. */
export interface LocalTokenIssuer {
  /** How long the tokens it issues last: never more than its verifier accepts. */
  readonly ttlSeconds: number;
  issue(user: AuthUser): Promise<string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_ISSUER = 'canvascal-local';

export interface JwtVerifierOptions {
  secret?: string | undefined;
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** The longest a token may last, `exp - iat` (default 24 h); a longer one is refused. */
  maxLifetimeSeconds?: number;
  /** How far clocks may disagree, for `exp` and a future `iat` (default and most 60 s). */
  clockSkewSeconds?: number;
  /** The clock, in ms; tests inject one. */
  now?: () => number;
}

export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;
const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * Supabase-compatible: HS256 with the project's JWT secret, or asymmetric keys from a JWKS URL.
 * A token must say when it expires (`exp`), may not last longer than `maxLifetimeSeconds`
 * (measured from `iat`, or from now when it has none), and may not be issued in the future;
 * clocks may disagree by `clockSkewSeconds` only.
 */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const skew = Math.min(options.clockSkewSeconds ?? MAX_CLOCK_SKEW_SECONDS, MAX_CLOCK_SKEW_SECONDS);
  const now = options.now ?? Date.now;
  const secret = options.secret ? new TextEncoder().encode(options.secret) : undefined;
  const jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  if (!secret && !jwks) throw new Error('createJwtVerifier needs a secret or a JWKS URL');
  return {
    async verify(token) {
      let payload: JWTPayload;
      try {
        const verifyOptions = {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: secret && !jwks ? ['HS256'] : undefined,
          requiredClaims: ['exp'],
          clockTolerance: skew,
          currentDate: new Date(now()),
        };
        const result =
          jwks && !secret
            ? await jwtVerify(token, jwks, verifyOptions)
            : secret && !jwks
              ? await jwtVerify(token, secret, verifyOptions)
              : await verifyWithEither(token, secret, jwks, verifyOptions);
        payload = result.payload;
      } catch (error) {
        throw describeJwtFailure(error);
      }
      checkLifetime(payload, Math.floor(now() / 1000), maxLifetime, skew);
      return userFromPayload(payload);
    },
  };
}

async function verifyWithEither(
  token: string,
  secret: Uint8Array | undefined,
  jwks: ReturnType<typeof createRemoteJWKSet> | undefined,
  options: { issuer?: string | undefined; audience?: string | undefined } & Record<string, unknown>,
) {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
    alg?: string;
  };
  if (header.alg === 'HS256' && secret)
    return jwtVerify(token, secret, { ...options, algorithms: ['HS256'] });
  if (jwks) return jwtVerify(token, jwks, options);
  throw new Error('unsupported algorithm');
}

/** `exp` is there and in the future (jose checked); here: not issued later than now, not too long. */
function checkLifetime(payload: JWTPayload, nowSeconds: number, maxLifetime: number, skew: number): void {
  const { iat, exp } = payload;
  if (typeof iat === 'number' && iat > nowSeconds + skew)
    throw unauthorized(
      "The access token says it was issued in the future; check the issuer's clock and sign in again.",
      'invalid_token',
    );
  const from = typeof iat === 'number' ? iat : nowSeconds;
  if (typeof exp === 'number' && exp - from > maxLifetime)
    throw unauthorized(
      `The access token lasts longer than the ${formatDuration(maxLifetime)} this service accepts; sign in again to get a shorter one.`,
      'invalid_token',
    );
}

const formatDuration = (seconds: number) =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;

function describeJwtFailure(error: unknown): AppError {
  const code = (error as { code?: string; claim?: string } | null)?.code;
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && (error as { claim?: string }).claim === 'exp')
    return unauthorized('The access token has no expiry (exp); sign in again.', 'invalid_token');
  if (code === 'ERR_JWT_EXPIRED')
    return unauthorized('Your session has expired; sign in again.', 'token_expired');
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    return unauthorized('The access token was issued for another audience or issuer.', 'invalid_token');
  }
  return unauthorized('The access token is not valid; sign in again.', 'invalid_token');
}

function userFromPayload(payload: JWTPayload): AuthUser {
  if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) {
    throw unauthorized('The access token has no user id (sub must be a UUID).', 'invalid_token');
  }
  const email = typeof payload.email === 'string' ? payload.email : undefined;
  return { id: payload.sub.toLowerCase(), email };
}

/**
 * The embedded default signs its own HS256 tokens with a secret kept in the data dir
 * (mode 0600), so a restart keeps users signed in and nothing secret is in the repo.
 */
export async function loadOrCreateLocalAuthSecret(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'auth-secret');
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(randomBytes(48).toString('base64url'));
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  await chmod(path, 0o600);
  const secret = (await readFile(path, 'utf8')).trim();
  if (secret.length < 32) throw new Error(`${path} is damaged (too short); delete it to make a new one`);
  return secret;
}

export function createLocalAuth(
  secret: string,
  options: { audience?: string; ttlSeconds?: number; now?: () => number } = {},
): TokenVerifier & LocalTokenIssuer {
  const audience = options.audience ?? 'authenticated';
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const verifier = createJwtVerifier({
    secret,
    issuer: LOCAL_ISSUER,
    audience,
    maxLifetimeSeconds: ttlSeconds,
    ...(options.now ? { now: options.now } : {}),
  });
  const key = new TextEncoder().encode(secret);
  const now = options.now ?? Date.now;
  return {
    ttlSeconds,
    verify: (token) => verifier.verify(token),
    issue: async (user) => {
      const jwt = new SignJWT({ email: user.email, role: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(audience)
        .setIssuedAt(Math.floor(now() / 1000))
        .setExpirationTime(Math.floor(now() / 1000) + ttlSeconds);
      return jwt.sign(key);
    },
  };
}
