import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// A stored secret that cannot be opened (damaged, foreign, or sealed under a key id the ring
// no longer has) is not "Google unavailable" and not an internal error: the connection is
// marked "reconnect needed" with that reason, the failure is logged at error level without
// the blob, nothing is retried, and the student is told to connect again.
let e2e: EmulatedApp;
const lines: string[] = [];
beforeAll(async () => {
  e2e = await startEmulatedApp(
    { LOG_LEVEL: 'info' },
    {
      logDestination: new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }),
    },
  );
});
afterAll(() => e2e.close());

async function connectedStudent(email: string) {
  const headers = await e2e.signIn(email);
  await e2e.connectGoogle(headers);
  const canvas = await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
  expect(canvas.json().status).toBe('connected');
  const userId: string = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
  return { headers, userId };
}

/** Rewrites one sealed column of the user's row with `change` and returns the new envelope. */
async function tamper(
  table: 'users' | 'canvas_connections',
  column: string,
  userId: string,
  change: (envelope: string) => string,
) {
  const key = table === 'users' ? 'id' : 'user_id';
  const rows = await e2e.app.db.orm.execute<Record<string, string>>(
    sql.raw(`select ${column} as envelope from ${table} where ${key} = '${userId}'`),
  );
  const envelope = (rows as unknown as { rows?: Array<{ envelope: string }> }).rows?.[0]?.envelope ?? '';
  expect(envelope).toMatch(/^v\d\./);
  const changed = change(envelope);
  await e2e.app.db.orm.execute(
    sql.raw(`update ${table} set ${column} = '${changed}' where ${key} = '${userId}'`),
  );
  return changed;
}

const withKid = (kid: string) => (envelope: string) => envelope.replace(/^(v\d)\.[^.]+\./, `$1.${kid}.`);
const flipLastChar = (envelope: string) => `${envelope.slice(0, -1)}${envelope.endsWith('A') ? 'B' : 'A'}`;

function errorLines(since: number) {
  return lines
    .slice(since)
    .map((line) => JSON.parse(line) as { level: number; msg: string; cipherError?: string; kid?: string })
    .filter((line) => line.level >= 50);
}

describe('a stored secret that cannot be opened', () => {
  it.each([
    [
      'a damaged (or foreign) Google envelope',
      flipLastChar,
      'decrypt_failed',
      /damaged or was sealed for another account/,
    ],
    [
      'a Google envelope under an unknown key id',
      withKid('retired2019'),
      'unknown_key',
      /encryption key this server no longer has/,
    ],
  ] as const)(
    '%s: reconnect needed, logged once at error level without the blob, not retried',
    async (_, change, cipherError, reason) => {
      const { headers, userId } = await connectedStudent(`${cipherError}@example.edu`);
      const envelope = await tamper('users', 'encrypted_refresh_token', userId, change);
      e2e.app.google?.connection.invalidate(userId);
      e2e.google.resetCounts();
      const since = lines.length;
      const run = await e2e.run(headers, '/api/v1/sync/canvas');
      expect(run.status).toBe('failed');
      expect(run.error).toMatchObject({
        code: 'google_reconnect_needed',
        message: expect.stringMatching(reason),
      });
      expect(run.error?.message).toMatch(/connect Google again/);
      // Google was never asked: this is not Google's failure.
      expect(e2e.google.requestCounts().byOutcome['oauth.token 200'] ?? 0).toBe(0);
      const google = (await e2e.http.inject({ url: '/api/v1/auth/google', headers })).json();
      expect(google.status).toBe('reconnect_needed');
      expect(errorLines(since)).toEqual([
        expect.objectContaining({
          cipherError,
          msg: expect.stringMatching(/Google refresh token cannot be opened/),
        }),
      ]);
      expect(lines.slice(since).join('')).not.toContain(envelope.split('.')[3]);
    },
  );

  it('a Canvas token under an unknown key id: Canvas reconnect needed, logged, not retried', async () => {
    const { headers, userId } = await connectedStudent('canvas-kid@example.edu');
    const envelope = await tamper('canvas_connections', 'encrypted_access_token', userId, withKid('gone'));
    const since = lines.length;
    const run = await e2e.run(headers, '/api/v1/sync/canvas');
    expect(run.status).toBe('failed');
    expect(run.error).toMatchObject({
      code: 'canvas_reconnect_needed',
      message: expect.stringMatching(/encryption key this server no longer has.*connect Canvas again/),
    });
    const canvas = (await e2e.http.inject({ url: '/api/v1/canvas/connection', headers })).json();
    expect(canvas.status).toBe('reconnect_needed');
    expect(errorLines(since)).toEqual([expect.objectContaining({ cipherError: 'unknown_key', kid: 'gone' })]);
    expect(lines.slice(since).join('')).not.toContain(envelope.split('.')[3]);
  });

  it('a sign-in whose saved PKCE verifier cannot be opened answers 400 "start again", logged', async () => {
    const headers = await e2e.signIn('verifier@example.edu');
    const userId: string = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
    const start = await e2e.http.inject({ url: '/api/v1/auth/google/url', headers });
    const redirect = new URL(e2e.google.approveConsent(start.json().url, { email: DEMO_STUDENT_EMAIL }));
    const rows = (await e2e.app.db.orm.execute(
      sql`select state_hash, encrypted_code_verifier from oauth_states where user_id = ${userId}`,
    )) as unknown as { rows: Array<{ state_hash: string; encrypted_code_verifier: string }> };
    for (const row of rows.rows)
      await e2e.app.db.orm.execute(
        sql`update oauth_states set encrypted_code_verifier = ${withKid('retired')(row.encrypted_code_verifier)} where state_hash = ${row.state_hash}`,
      );
    const since = lines.length;
    const res = await e2e.http.inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'invalid_state',
      message: expect.stringMatching(/start connecting Google again/),
    });
    expect(errorLines(since)).toEqual([
      expect.objectContaining({ cipherError: 'unknown_key', kid: 'retired' }),
    ]);
  });
});
