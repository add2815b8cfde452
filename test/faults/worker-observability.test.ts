import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { startTestApp } from '../support/test-app.ts';

/** Issue 13, item 11: the worker had no probes, no metrics and silent job outcomes. */
describe('a worker process', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('serves /healthz, /readyz and /metrics on WORKER_PORT, and /readyz names what it cannot reach', async () => {
    const { app, close } = await startTestApp({ WORKER_PORT: '0' }, { role: 'worker' });
    closers.push(close);
    expect(app.http).toBeUndefined();
    const url = app.workerHealthUrl;
    if (!url) throw new Error('no worker health server');

    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok' } });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('canvascal_jobs_total');
    expect(metrics).toContain('canvascal_job_duration_seconds');
    expect((await fetch(`${url}/nothing`)).status).toBe(404);

    await app.db.close();
    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: 'not_ready',
      checks: { database: 'unreachable', queue: 'ok' },
      error: { code: 'not_ready', message: 'Not reachable: database' },
    });
  });

  it('logs each job try: success with its duration, failure with its cause and whether it retries', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const e2e: EmulatedApp = await startEmulatedApp(
      { LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      {
        retryBaseMs: { job: 5, google: 5, canvas: 5 },
        logDestination: new Writable({
          write(chunk, _encoding, done) {
            for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
            done();
          },
        }),
      },
    );
    closers.push(() => e2e.close());
    const headers = await e2e.signIn('logged-jobs@example.edu');
    await e2e.connectGoogle(headers);
    await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    // The first try dies on creating the calendar; the second succeeds.
    e2e.google.failNext('calendar.calendars.insert', 500);
    const run = await e2e.run(headers, '/api/v1/sync/canvas');
    expect(run.status).toBe('succeeded');
    await vi.waitFor(() => expect(lines.some((l) => l.msg === 'job succeeded')).toBe(true));

    const failed = lines.find((l) => l.msg === 'job failed; it will be retried');
    expect(failed).toMatchObject({
      level: 40,
      job: 'canvas-sync',
      attempt: 1,
      willRetry: true,
      cause: { name: 'GoogleApiError', kind: 'transient', status: 500 },
    });
    expect(typeof failed?.durationMs).toBe('number');
    const succeeded = lines.find((l) => l.msg === 'job succeeded');
    expect(succeeded).toMatchObject({ level: 30, job: 'canvas-sync', attempt: 2 });
    expect(typeof succeeded?.durationMs).toBe('number');
    expect(succeeded?.runId).toBe(failed?.runId);
  });
});
