import { sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/crypto/key-ring.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// In production every Canvas request, the sync's included, goes through the guarded fetch:
// a connection that names an internal address the admin did not configure is never reached,
// even when its row says so and its token opens for it.
const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!!';
const ISSUER = 'https://abc.supabase.co/auth/v1';
let e2e: EmulatedApp;
beforeAll(async () => {
  e2e = await startEmulatedApp(
    {
      NODE_ENV: 'production',
      CANVASCAL_ENCRYPTION_KEYS: generateKey('k1').entry,
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWT_ISSUER: ISSUER,
    },
    { retryBaseMs: { canvas: 1, job: 1, google: 1 } },
  );
});
afterAll(() => e2e.close());

describe('Canvas requests in production', () => {
  it('a sync never connects to an internal origin the admin did not configure', async () => {
    const userId = '7a1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
    const token = await new SignJWT({ email: 'ssrf@example.edu' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuer(ISSUER)
      .setAudience('authenticated')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
    const headers = { authorization: `Bearer ${token}` };
    await e2e.connectGoogle(headers);
    // The emulator's own origin is configured (trusted), so connecting works.
    const connected = await e2e.http.inject({
      method: 'POST',
      url: '/api/v1/canvas/connection/demo',
      headers,
    });
    expect(connected.json().status).toBe('connected');
    // Point the row at the same server under a name nobody configured, with a token sealed for it.
    const internal = e2e.canvas.url.replace('127.0.0.1', 'localhost');
    const demoToken = e2e.canvas.control.demo?.token ?? '';
    const sealed = e2e.app.cipher.seal(demoToken, {
      userId,
      provider: 'canvas',
      purpose: 'access_token',
      origin: internal,
    });
    await e2e.app.db.orm.execute(
      sql`update canvas_connections set base_url = ${internal}, encrypted_access_token = ${sealed} where user_id = ${userId}`,
    );
    const before = e2e.canvas.control.requestCounts().total;
    const run = await e2e.run(headers, '/api/v1/sync/canvas');
    expect(run.status).toBe('failed');
    expect(e2e.canvas.control.requestCounts().total).toBe(before);
  });
});
