import { afterEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { GoogleApiError } from '../../src/google/google-api-error.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';

/** Issue 13, item 10: a Google call held past its timeout fails as transient instead of hanging. */
describe('Google calls held past their timeout', () => {
  let emulator: GoogleEmulator | undefined;
  let e2e: EmulatedApp | undefined;
  // Requests the emulator holds until the test lets them go (no wall-clock waiting).
  const held: Array<() => void> = [];
  afterEach(async () => {
    for (const release of held.splice(0)) release();
    await emulator?.close();
    await e2e?.close();
    emulator = undefined;
    e2e = undefined;
  });

  const heldEmulator = () =>
    startGoogleEmulator({
      now: () => Date.parse('2026-12-01T15:00:00Z'),
      sleep: () => new Promise<void>((resolve) => held.push(resolve)),
    });

  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error;
    }
    throw new Error('expected the call to fail');
  };

  it('a held batch and a held direct call fail as transient `timeout` errors, retried like a 5xx', async () => {
    const google = await heldEmulator();
    emulator = google;
    const token = await emulatorAccessToken(google, [SCOPES.appCreated, SCOPES.calendarListReadonly]);
    const api = createGoogleCalendarClient({
      rootUrl: `${google.url}/`,
      accessToken: async () => token,
      timeoutMs: 100,
    });
    const { id } = await api.insertCalendar({ summary: 'CanvasCal', timeZone: 'UTC' });

    google.control.setLatency(1, { method: 'batch', count: 1 });
    const batch = await failure(
      api.batch([{ kind: 'delete', calendarId: id, eventId: 'abcdefghij0123456789' }]),
    );
    expect(batch).toBeInstanceOf(GoogleApiError);
    expect(batch).toMatchObject({ kind: 'transient', reason: 'timeout', retryable: true });

    google.control.setLatency(1, { method: 'calendar.calendarList.list', count: 1 });
    const listed = await failure(api.listCalendars({}));
    expect(listed).toMatchObject({ kind: 'transient', reason: 'timeout', retryable: true });

    // The next, unheld call goes through.
    expect((await api.listCalendars({})).items.some((c) => c.id === id)).toBe(true);
  });

  it('a sync whose batch is held past GOOGLE_TIMEOUT_MS retries it and finishes', async () => {
    const app = await startEmulatedApp(
      { GOOGLE_TIMEOUT_MS: '300' },
      { retryBaseMs: { job: 5, google: 5, canvas: 5 } },
    );
    e2e = app;
    const headers = await app.signIn('held-batch@example.edu');
    await app.connectGoogle(headers);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    // Held far longer than the run helper waits (20 s): without a timeout the run never ends.
    app.google.setLatency(120_000, { method: 'batch', count: 1 });
    const run = await app.run(headers, '/api/v1/sync/canvas');
    expect(run.status).toBe('succeeded');
    expect(run.counts.created).toBeGreaterThan(0);
    expect(run.counts.failed).toBe(0);
  });
});
