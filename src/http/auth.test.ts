import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createJwtVerifier, createLocalAuth } from './auth.ts';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!!';
const KEY = new TextEncoder().encode(SECRET);
const SUB = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
const ISSUER = 'https://abc.supabase.co/auth/v1';
// A fixed clock: 2030-01-01T00:00:00Z, in seconds.
const NOW = 1_893_456_000;

const verifier = createJwtVerifier({
  secret: SECRET,
  issuer: ISSUER,
  audience: 'authenticated',
  now: () => NOW * 1000,
});

function token(claims: { iat?: number; exp?: number; iss?: string }) {
  const jwt = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(SUB)
    .setAudience('authenticated');
  jwt.setIssuer(claims.iss ?? ISSUER);
  if (claims.iat !== undefined) jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(KEY);
}

const refusal = async (claims: Parameters<typeof token>[0]) =>
  verifier.verify(await token(claims)).then(
    () => undefined,
    (error: { status?: number; code?: string; message?: string }) => error,
  );

describe('user token checks', () => {
  it('accepts a Supabase-like token: an hour long, issued now, by the configured issuer', async () => {
    await expect(verifier.verify(await token({ iat: NOW, exp: NOW + 3600 }))).resolves.toMatchObject({
      id: SUB,
    });
  });

  it('refuses a token without exp', async () => {
    expect(await refusal({ iat: NOW })).toMatchObject({
      status: 401,
      message: expect.stringMatching(/no expiry/),
    });
  });

  it('refuses a token that lasts longer than 24 h, from iat or (without one) from now', async () => {
    expect(await refusal({ iat: NOW, exp: NOW + 100 * 365 * 86_400 })).toMatchObject({
      status: 401,
      message: expect.stringMatching(/lasts longer than the 24 h/),
    });
    expect(await refusal({ exp: NOW + 86_400 + 120 })).toMatchObject({ status: 401 });
    expect(await refusal({ iat: NOW - 3600, exp: NOW + 86_400 - 3600 })).toBeUndefined();
  });

  it('refuses iat in the future beyond 60 s of skew, and allows skew within it', async () => {
    expect(await refusal({ iat: NOW + 3600, exp: NOW + 7200 })).toMatchObject({
      status: 401,
      message: expect.stringMatching(/issued in the future/),
    });
    expect(await refusal({ iat: NOW + 30, exp: NOW + 3600 })).toBeUndefined();
    expect(await refusal({ iat: NOW - 3600, exp: NOW - 30 })).toBeUndefined();
    expect(await refusal({ iat: NOW - 3600, exp: NOW - 90 })).toMatchObject({ code: 'token_expired' });
  });

  it('refuses another issuer', async () => {
    expect(
      await refusal({ iat: NOW, exp: NOW + 3600, iss: 'https://other.supabase.co/auth/v1' }),
    ).toMatchObject({
      status: 401,
    });
  });

  it('makes the lifetime configurable, and the local sign-in issues tokens within it', async () => {
    const short = createJwtVerifier({ secret: SECRET, maxLifetimeSeconds: 600, now: () => NOW * 1000 });
    await expect(short.verify(await token({ iat: NOW, exp: NOW + 3600 }))).rejects.toMatchObject({
      message: expect.stringMatching(/10 min/),
    });
    const local = createLocalAuth(SECRET, { ttlSeconds: 3600, now: () => NOW * 1000 });
    await expect(local.verify(await local.issue({ id: SUB, email: undefined }))).resolves.toMatchObject({
      id: SUB,
    });
  });
});
