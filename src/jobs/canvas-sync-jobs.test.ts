import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migratedPglite } from '../../test/support/pglite.ts';
import { createCanvasConnectionsRepo } from '../db/canvas-connections-repo.ts';
import type { Database } from '../db/client.ts';
import { createGoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import { createSyncRunsRepo } from '../db/sync-runs-repo.ts';
import { createUsersRepo } from '../db/users-repo.ts';
import { enqueueSyncForEveryone } from './canvas-sync-jobs.ts';

let db: Database;
beforeEach(async () => {
  db = await migratedPglite();
});
afterEach(() => db.close());

const ids = {
  ready: '00000000-0000-4000-8000-000000000001',
  busy: '00000000-0000-4000-8000-000000000002',
  canvasGone: '00000000-0000-4000-8000-000000000003',
  googleGone: '00000000-0000-4000-8000-000000000004',
};

describe('the periodic sync of every user', () => {
  it('starts one run per user who can sync, joins a queued one, and skips the rest without a failed run', async () => {
    const users = createUsersRepo(db.orm);
    const google = createGoogleConnectionsRepo(db.orm);
    const canvas = createCanvasConnectionsRepo(db.orm);
    const runs = createSyncRunsRepo(db.orm);
    for (const id of Object.values(ids)) {
      await users.ensure(id, undefined);
      await google.connect(id, { encryptedRefreshToken: 'v1.k.x.y', grantedScopes: [] });
      await canvas.save({
        userId: id,
        baseUrl: 'https://canvas.school.edu',
        authKind: 'personal_token',
        encryptedAccessToken: 'v1.k.x.y',
        encryptedRefreshToken: null,
        accessTokenExpiresAt: null,
        tokenExpiresAt: null,
        canvasUserId: '1',
      });
    }
    await canvas.markReconnectNeeded(ids.canvasGone, 'token invalid');
    await google.markReconnectNeeded(ids.googleGone, 'grant revoked');
    const { run: queued } = await runs.createOrJoin(ids.busy, 'canvas');

    const enqueued: string[] = [];
    const outcome = await enqueueSyncForEveryone({
      connections: google,
      runs,
      enqueue: async ({ userId }) => {
        enqueued.push(userId);
      },
      eligible: async (userId) => (await canvas.get(userId))?.status === 'connected',
    });
    expect(outcome).toEqual({ started: 1, joined: 1, skipped: 1 });
    expect(enqueued).toEqual([ids.ready]);
    expect((await runs.latest(ids.busy, 'canvas')).map((r) => r.id)).toEqual([queued.id]);
    expect(await runs.latest(ids.canvasGone, 'canvas')).toEqual([]);
    expect(await runs.latest(ids.googleGone, 'canvas')).toEqual([]);
  });
});
