import { afterEach, describe, expect, it, vi } from 'vitest';
import { CANVAS_SYNC_JOB, userJobId } from '../../src/jobs/canvas-sync-jobs.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

describe('a sync that reaches the Google quota', () => {
  let e2e: EmulatedApp | undefined;
  afterEach(async () => {
    await e2e?.close();
    e2e = undefined;
  });

  it('is delayed, not failed, using no attempt; the run shows what is written meanwhile', async () => {
    // A quota just over one batch: the demo student's ~85 deadlines need a second minute.
    const app = await startEmulatedApp(
      { GOOGLE_QUOTA_PER_USER_PER_MINUTE: '60', GOOGLE_BATCHES_IN_FLIGHT: '1' },
      { retryBaseMs: { job: 5, google: 5, canvas: 5 } },
    );
    e2e = app;
    const headers = await app.signIn('quota@example.edu');
    await app.connectGoogle(headers);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    const started = await app.http.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
    const runId: string = started.json().runId;
    const jobId = userJobId(CANVAS_SYNC_JOB, runId);

    await vi.waitFor(async () => expect((await app.app.queue.getJob(jobId))?.state).toBe('delayed'), {
      timeout: 20_000,
      interval: 50,
    });
    const job = await app.app.queue.getJob(jobId);
    expect(job?.attemptsMade).toBe(0);
    const run = (await app.http.inject({ url: `/api/v1/sync/runs/${runId}`, headers })).json();
    expect(run.status).toBe('running');
    expect(run.error).toBeNull();
    expect(run.progress).toMatchObject({ written: 50 });
    expect(run.progress.toWrite).toBeGreaterThan(50);
    expect(run.progress.message).toMatch(/^50 of \d+ written; waiting for Google's request quota/);
    const waits = (await app.app.metrics.googleQuotaWaits.get()).values;
    expect(waits.find((v) => v.labels.where === 'job')?.value).toBeGreaterThanOrEqual(1);
    // Nothing Google would refuse was sent: every part it answered, it accepted.
    const counts = app.google.requestCounts();
    expect(counts.byOutcome['calendar.events.insert 200']).toBe(50);
    expect(Object.keys(counts.byOutcome).filter((k) => / (403|429)$/.test(k))).toEqual([]);
  });
});
