import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { connectedUser, TEST_GOOGLE_CLIENT } from '../support/connected-user.ts';
import { startTestApp } from '../support/test-app.ts';

let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp(TEST_GOOGLE_CLIENT));
});
afterAll(() => close());

async function auth(email: string) {
  const res = await app.http?.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: { email } });
  return { authorization: `Bearer ${res?.json().accessToken}` };
}

describe('sync routes', () => {
  it('refuses at once, saying what to connect, when a sync could only fail', async () => {
    const nothing = await auth('nobody@example.edu');
    const noGoogle = await app.http?.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers: nothing });
    expect(noGoogle?.statusCode).toBe(409);
    expect(noGoogle?.json().error).toMatchObject({ code: 'google_not_connected' });
    expect(noGoogle?.json().error.message).toMatch(/auth\/google\/url/);
    const { headers } = await connectedUser(app, 'google-only@example.edu', { canvas: false });
    const noCanvas = await app.http?.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    expect(noCanvas?.statusCode).toBe(409);
    expect(noCanvas?.json().error).toMatchObject({ code: 'canvas_not_connected' });
    expect((await app.http?.inject({ url: '/api/v1/sync/status', headers }))?.json().recentRuns).toEqual([]);
    // Following calendars needs only Google.
    const follow = await app.http?.inject({ method: 'POST', url: '/api/v1/sync/calendars', headers });
    expect(follow?.statusCode).toBe(202);
  });

  it('answers 202 with a run id, and joins a second request to the queued run', async () => {
    const { headers } = await connectedUser(app, 'alice@example.edu');
    const first = await app.http?.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    expect(first?.statusCode).toBe(202);
    expect(first?.json()).toMatchObject({ status: 'queued', joined: false });
    const second = await app.http?.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    expect(second?.json()).toMatchObject({ runId: first?.json().runId, joined: true });

    const run = await app.http?.inject({ url: `/api/v1/sync/runs/${first?.json().runId}`, headers });
    expect(run?.json()).toMatchObject({ status: 'queued', counts: {}, googleCalls: 0, error: null });
  });

  it("never shows one user another user's run", async () => {
    const alice = (await connectedUser(app, 'alice2@example.edu')).headers;
    const mallory = await auth('mallory@example.edu');
    const started = await app.http?.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers: alice });
    const runId: string = started?.json().runId;
    const res = await app.http?.inject({ url: `/api/v1/sync/runs/${runId}`, headers: mallory });
    expect(res?.statusCode).toBe(404);
    expect(res?.json().error.code).toBe('not_found');
    const status = (await app.http?.inject({ url: '/api/v1/sync/status', headers: mallory }))?.json();
    expect(status.recentRuns).toEqual([]);
  });

  it('rejects a run id that is not a UUID with a 400 that says so', async () => {
    const res = await app.http?.inject({
      url: '/api/v1/sync/runs/42',
      headers: await auth('alice@example.edu'),
    });
    expect(res?.statusCode).toBe(400);
    expect(res?.json().error.message).toContain('run id must be a UUID');
  });

  it('reports the connections and the error count in the status', async () => {
    const status = (
      await app.http?.inject({ url: '/api/v1/sync/status', headers: await auth('bob@example.edu') })
    )?.json();
    expect(status).toMatchObject({
      google: { status: 'not_connected' },
      canvas: { status: 'not_connected' },
      syncErrorCount: 0,
      lastRun: null,
      undated: [],
    });
  });
});
