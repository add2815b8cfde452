import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { SYNC_JOB_ATTEMPTS } from '../../src/jobs/canvas-sync-jobs.ts';
import { connectedUser, TEST_GOOGLE_CLIENT } from '../support/connected-user.ts';
import { startEmulatedApp } from '../support/emulated-app.ts';
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

describe('a run the queue retries, seen through the status routes (Canvas answering 503)', () => {
  // Each try of the Canvas read asks for the course list 5 times before it gives up.
  const TRIES_PER_READ = 5;

  /** A whole app on the emulators, Google and Canvas connected; `job` is the first retry delay. */
  async function emulatedApp(job: number) {
    const emulated = await startEmulatedApp({}, { retryBaseMs: { google: 1, canvas: 1, job } });
    const { http } = emulated;
    const headers = await emulated.signIn('retried@example.edu');
    await emulated.connectGoogle(headers);
    await http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    const status = async () => (await http.inject({ url: '/api/v1/sync/status', headers })).json();
    /** Starts a Canvas sync (or a follow); resolves with its id and every distinct state the run showed. */
    const watch = async (
      until: (run: { status: string; error: unknown }) => boolean,
      start = '/api/v1/sync/canvas',
    ) => {
      const started = await http.inject({ method: 'POST', url: start, headers });
      const runId: string = started.json().runId;
      const seen: string[] = [];
      let run = { status: 'queued', error: null as { code: string } | null };
      await vi.waitFor(
        async () => {
          run = (await http.inject({ url: `/api/v1/sync/runs/${runId}`, headers })).json();
          const shown = `${run.status}${run.error ? ` ${run.error.code}` : ''}`;
          if (seen.at(-1) !== shown) seen.push(shown);
          expect(until(run)).toBe(true);
        },
        { timeout: 30_000, interval: 10 },
      );
      return { runId, run, seen };
    };
    return {
      canvas: emulated.canvas.control,
      google: emulated.google,
      status,
      watch,
      close: () => emulated.close(),
    };
  }

  it('between tries the run is still running and shows the last error; the error count is untouched', async () => {
    // An hour before the retry: the run is looked at while it waits.
    const e2e = await emulatedApp(3_600_000);
    try {
      e2e.canvas.failNext('/api/v1/courses', 503, TRIES_PER_READ);
      const { run } = await e2e.watch((r) => r.error !== null);
      expect(run).toMatchObject({
        status: 'running',
        finishedAt: null,
        error: { code: 'canvas_unavailable', message: expect.stringMatching(/Canvas/) },
      });
      const status = await e2e.status();
      expect(status.syncErrorCount).toBe(0);
      expect(status.lastRun).toMatchObject({ status: 'running', error: { code: 'canvas_unavailable' } });
    } finally {
      await e2e.close();
    }
  });

  it('a run whose retry succeeds never showed "failed" and counts no error', async () => {
    const e2e = await emulatedApp(1);
    try {
      e2e.canvas.failNext('/api/v1/courses', 503, TRIES_PER_READ);
      const { run, seen } = await e2e.watch((r) => ['succeeded', 'failed'].includes(r.status));
      expect(run).toMatchObject({ status: 'succeeded', error: null });
      expect(seen.filter((s) => s.startsWith('failed'))).toEqual([]);
      expect((await e2e.status()).syncErrorCount).toBe(0);
    } finally {
      await e2e.close();
    }
  });

  it('a run fails only when its last try fails, and counts as one error', async () => {
    const e2e = await emulatedApp(1);
    try {
      // Every one of the job's tries meets the outage.
      e2e.canvas.failNext('/api/v1/courses', 503, TRIES_PER_READ * SYNC_JOB_ATTEMPTS);
      const { run, seen } = await e2e.watch((r) => ['succeeded', 'failed'].includes(r.status));
      expect(run).toMatchObject({ status: 'failed', error: { code: 'canvas_unavailable' } });
      expect(seen.filter((s) => s.startsWith('failed'))).toEqual(['failed canvas_unavailable']);
      expect((await e2e.status()).syncErrorCount).toBe(1);
    } finally {
      await e2e.close();
    }
  });

  it('a calendar follow is retried the same way: never "failed" while a try is left, failed once at the end', async () => {
    const e2e = await emulatedApp(1);
    try {
      const done = (r: { status: string }) => ['succeeded', 'failed'].includes(r.status);
      // A Canvas sync first, so there is a CanvasCal calendar to follow.
      expect((await e2e.watch(done)).run.status).toBe('succeeded');
      const lists = () => e2e.google.requestCounts().byMethod['calendar.events.list'] ?? 0;
      e2e.google.failNext('calendar.events.list', 503, 1);
      const recovered = await e2e.watch(done, '/api/v1/sync/calendars');
      expect(recovered.run).toMatchObject({ status: 'succeeded', error: null });
      expect(recovered.seen.filter((s) => s.startsWith('failed'))).toEqual([]);
      // The failed listing and the retry's.
      expect(lists()).toBeGreaterThanOrEqual(2);

      e2e.google.failNext('calendar.events.list', 503, 1000);
      const failed = await e2e.watch(done, '/api/v1/sync/calendars');
      expect(failed.run.status).toBe('failed');
      expect(failed.seen.filter((s) => s.startsWith('failed'))).toHaveLength(1);
      expect(failed.seen.some((s) => s.startsWith('running '))).toBe(true);
    } finally {
      await e2e.close();
    }
  });
});
