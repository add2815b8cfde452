import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import { startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import type { Env } from '../../src/config.ts';
import { CANVAS_SYNC_JOB, userJobId } from '../../src/jobs/canvas-sync-jobs.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';

// Issue 18, end to end through the queue: the sync job as the worker runs it, against the
// built-in Google emulator at its standard quota (600 requests a minute for a user, each batch
// part counting) and CanvasCal's own budget at the same default. The minutes of quota pass on
// fake timers: the clock jumps over a delayed job's wait, and otherwise runs at five times
// real time, so a request's real duration is a fraction of the budget's 2-second margin.

const ITEMS = 2_000;
const realSetTimeout = globalThis.setTimeout;
const realPause = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

interface Wait {
  written: number;
  attemptsMade: number;
  message: string;
  status: string;
  error: unknown;
}

function firstSyncJobSuite(database: () => Promise<{ env: Env; drop(): Promise<void> }>): void {
  let e2e: EmulatedApp | undefined;
  let drop = async () => {};
  let closeEmulators = async () => {};
  afterEach(async () => {
    vi.useRealTimers();
    await e2e?.close();
    e2e = undefined;
    await closeEmulators();
    await drop();
  });

  it('2,000 items end complete in one run: delayed (no attempt used) while the quota refills, each part sent once', async () => {
    const db = await database();
    drop = db.drop;
    // The default quotas, batches in flight and refusal pause: only the job's retry backoff
    // is shortened, and it must never be used (a quota wait is not a failed try).
    // Emulators that read the clock at each request, so Google's minute is the budget's.
    const google = await startGoogleEmulator({ port: 0, now: () => Date.now() });
    const canvas = await startCanvasEmulator({ port: 0, now: () => Date.now() });
    closeEmulators = async () => {
      await google.close();
      await canvas.close();
    };
    const app = await startEmulatedApp(db.env, {
      retryBaseMs: { job: 5 },
      sharedEmulators: { google, canvas },
    });
    e2e = app;
    const headers = await app.signIn('quota-job@example.edu');
    await app.connectGoogle(headers);
    // A Canvas student of their own with one course of 2,000 dated assignments, due from
    // tomorrow on, whatever day the test runs.
    const { control } = app.canvas;
    const student = control.createUser('Quota Student', 'UTC');
    const course = control.createCourse({ name: 'Big Course', courseCode: 'BIG-1' });
    control.enroll(student, course);
    const now = Date.now();
    for (let n = 0; n < ITEMS; n += 1)
      control.addAssignment(course, {
        name: `Problem set ${n + 1}`,
        dueAt: new Date(now + 86_400_000 + n * 3_600_000).toISOString(),
      });
    const connected = await app.http.inject({
      method: 'PUT',
      url: '/api/v1/canvas/connection',
      headers,
      payload: { baseUrl: app.canvas.url, token: control.issueToken(student) },
    });
    expect(connected.statusCode).toBe(200);
    app.google.resetCounts();

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.now() });
    const started = await app.http.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    expect(started.statusCode).toBe(202);
    const runId: string = started.json().runId;
    const jobId = userJobId(CANVAS_SYNC_JOB, runId);
    const readRun = async () =>
      (await app.http.inject({ url: `/api/v1/sync/runs/${runId}`, headers })).json();

    const waits: Wait[] = [];
    for (let steps = 0; ; steps += 1) {
      if (steps > 20_000) throw new Error(`the run did not finish: ${JSON.stringify(await readRun())}`);
      const job = await app.app.queue.getJob(jobId);
      if (job?.state === 'completed' || job?.state === 'failed') break;
      if (job?.state === 'delayed') {
        // Nothing of this user's is in flight: what the student sees now, then on to the retry.
        const run = await readRun();
        if (waits.at(-1)?.written !== run.progress?.written)
          waits.push({
            written: run.progress?.written,
            attemptsMade: job.attemptsMade,
            message: run.progress?.message,
            status: run.status,
            error: run.error,
          });
        await vi.advanceTimersToNextTimerAsync();
      } else {
        await vi.advanceTimersByTimeAsync(100);
        await realPause(20);
      }
    }

    const run = await readRun();
    expect(run.status).toBe('succeeded');
    // The run counts what every one of its tries created, not only its last.
    expect(run.counts).toMatchObject({ created: ITEMS, updated: 0, deleted: 0, unchanged: 0, failed: 0 });
    expect((await app.app.queue.getJob(jobId))?.state).toBe('completed');
    // The quota held the job back at least three times (600 a minute, 2,000 parts)...
    expect(waits.length).toBeGreaterThanOrEqual(3);
    for (const [i, wait] of waits.entries()) {
      // ...each time delayed, not failed, with no try used, and the student saw how far it got.
      expect(wait).toMatchObject({ attemptsMade: 0, status: 'running', error: null });
      expect(wait.written).toBeGreaterThan(i === 0 ? 0 : (waits[i - 1]?.written ?? 0));
      expect(wait.message).toMatch(
        new RegExp(
          `^${wait.written.toLocaleString('en-US')} of 2,000 written; waiting for Google's request quota`,
        ),
      );
    }
    const { byOutcome } = app.google.requestCounts();
    const inserts = Object.entries(byOutcome).filter(([k]) => k.startsWith('calendar.events.insert '));
    const refused = inserts.filter(([k]) => / (403|429)$/.test(k)).reduce((sum, [, n]) => sum + n, 0);
    // 2,000 parts plus only what Google refused: an accepted part sent again would be a 409.
    expect(Object.fromEntries(inserts.filter(([k]) => !/ (403|429)$/.test(k)))).toEqual({
      'calendar.events.insert 200': ITEMS,
    });
    expect(app.google.requestCounts().byMethod['calendar.events.insert']).toBe(ITEMS + refused);
    const calendar = [...app.google.state.calendars.values()].find(
      (c) => c.summary === 'CanvasCal' && !c.deleted,
    );
    expect(app.google.state.events.get(calendar?.id ?? '')?.size).toBe(ITEMS);
  }, 180_000);
}

describe('a first sync of 2,000 items through the queue job, on PGlite (embedded default)', () => {
  firstSyncJobSuite(async () => ({ env: {}, drop: async () => {} }));
});

// The in-process queue either way: BullMQ's delays are kept by Redis, which fake timers do not move.
describeWithPostgres('a first sync of 2,000 items through the queue job, on PostgreSQL', (adminUrl) => {
  firstSyncJobSuite(async () => {
    const db = await createTestDatabase(adminUrl);
    return { env: { DATABASE_URL: db.url }, drop: db.drop };
  });
});
