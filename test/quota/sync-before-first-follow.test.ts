import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '../../src/config.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';

/**
 * Issue 18: the zone CanvasCal gave the calendar it made is remembered, so a sync between the
 * first one and the first follow asks Google nothing (not even `calendars.get`), and that
 * follow still reads the calendar in full.
 */
function beforeFirstFollowSuite(database: () => Promise<{ env: Env; drop(): Promise<void> }>): void {
  let e2e: EmulatedApp | undefined;
  let drop = async () => {};
  afterEach(async () => {
    await e2e?.close();
    e2e = undefined;
    await drop();
  });

  it('an unchanged sync right after the first sends no Google request; the first follow is full', async () => {
    const db = await database();
    drop = db.drop;
    const app = await startEmulatedApp(db.env, { retryBaseMs: { job: 5, google: 5, canvas: 5 } });
    e2e = app;
    const headers = await app.signIn('before-follow@example.edu');
    await app.connectGoogle(headers);
    await app.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    const first = await app.run(headers, '/api/v1/sync/canvas');
    expect(first.status).toBe('succeeded');
    expect(first.counts.created).toBeGreaterThan(50);
    expect(app.google.requestCounts().byMethod['calendar.calendars.insert']).toBe(1);
    // The new calendar is watched for pushes once the run has finished: counted, then reset.
    await expect.poll(() => app.google.requestCounts().byMethod['calendar.events.watch']).toBe(1);

    app.google.resetCounts();
    const second = await app.run(headers, '/api/v1/sync/canvas');
    expect(second.status).toBe('succeeded');
    expect(second.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(second.googleCalls).toBe(0);
    expect(app.google.requestCounts().byMethod).toEqual({});

    const follow = await app.run(headers, '/api/v1/sync/calendars');
    expect(follow.status).toBe('succeeded');
    expect(follow.counts).toMatchObject({ calendars: 1, fullSyncs: 1, deletedByUser: 0 });
  });
}

describe('a sync before the first follow, on PGlite (embedded default)', () => {
  beforeFirstFollowSuite(async () => ({ env: {}, drop: async () => {} }));
});

describeWithPostgres('a sync before the first follow, on PostgreSQL', (adminUrl) => {
  beforeFirstFollowSuite(async () => {
    const db = await createTestDatabase(adminUrl);
    return { env: { DATABASE_URL: db.url }, drop: db.drop };
  });
});
