import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Access tokens live in memory: one refresh at a time per user, and a dead grant is never
// retried in a loop.

let e2e: EmulatedApp;
let userId: string;
const refreshes = () => e2e.google.requestCounts().byOutcome['oauth.token 200'] ?? 0;
const refused = () => e2e.google.requestCounts().byOutcome['oauth.token 400'] ?? 0;

beforeAll(async () => {
  e2e = await startEmulatedApp();
  const headers = await e2e.signIn('tokens@example.edu');
  await e2e.connectGoogle(headers);
  userId = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
});
afterAll(() => e2e.close());

describe('Google access tokens', () => {
  it('ten concurrent callers without a token share one refresh', async () => {
    const connection = e2e.app.google?.connection;
    if (!connection) throw new Error('no google');
    connection.invalidate(userId);
    e2e.google.resetCounts();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => connection.accessToken(userId)));
    expect(new Set(tokens).size).toBe(1);
    expect(refreshes()).toBe(1);
    // A token with time left is served from memory.
    await connection.accessToken(userId);
    expect(refreshes()).toBe(1);
  });

  it('a revoked grant marks the connection "reconnect needed" once, and callers stop asking Google', async () => {
    const connection = e2e.app.google?.connection;
    if (!connection) throw new Error('no google');
    e2e.google.revokeGrants(DEMO_STUDENT_EMAIL);
    connection.invalidate(userId);
    e2e.google.resetCounts();
    await expect(connection.accessToken(userId)).rejects.toMatchObject({ code: 'google_reconnect_needed' });
    await expect(connection.accessToken(userId)).rejects.toMatchObject({ code: 'google_reconnect_needed' });
    expect(refused()).toBe(1);
    expect((await connection.status(userId)).status).toBe('reconnect_needed');
  });
});
