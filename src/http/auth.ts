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
  issue(user: AuthUser, ttlSeconds?: number): Promise<string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_ISSUER = 'canvascal-local';

export interface JwtVerifierOptions {
  secret?: string | undefined;
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** Supabase-compatible: HS256 with the project's JWT secret, or asymmetric keys from a JWKS URL. */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
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
      return userFromPayload(payload);
    },
  };
}

async function verifyWithEither(
  token: string,
  secret: Uint8Array | undefined,
  jwks: ReturnType<typeof createRemoteJWKSet> | undefined,
  options: { issuer?: string | undefined; audience?: string | undefined },
) {
  const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
    alg?: string;
  };
  if (header.alg === 'HS256' && secret)
    return jwtVerify(token, secret, { ...options, algorithms: ['HS256'] });
  if (jwks) return jwtVerify(token, jwks, options);
  throw new Error('unsupported algorithm');
}

function describeJwtFailure(error: unknown): AppError {
  const code = (error as { code?: string } | null)?.code;
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
  audience = 'authenticated',
): TokenVerifier & LocalTokenIssuer {
  const verifier = createJwtVerifier({ secret, issuer: LOCAL_ISSUER, audience });
  const key = new TextEncoder().encode(secret);
  return {
    verify: (token) => verifier.verify(token),
    issue: async (user, ttlSeconds = 7 * 24 * 3600) => {
      const jwt = new SignJWT({ email: user.email, role: 'authenticated' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(LOCAL_ISSUER)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`);
      return jwt.sign(key);
    },
  };
}
