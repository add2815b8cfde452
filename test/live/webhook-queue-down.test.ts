import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { createWatchChannelsRepo } from '../../src/db/watch-channels-repo.ts';
import { hashChannelToken, newChannelToken } from '../../src/live/channel-token.ts';
import { connectedUser, TEST_GOOGLE_CLIENT } from '../support/connected-user.ts';
import { startTestApp } from '../support/test-app.ts';

// Redis is down (nothing listens on port 1): a verified notification cannot be queued, so the
// receiver answers 503, one of the statuses Google retries with backoff, and the change is
// delivered again later instead of lost.

let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({ REDIS_URL: 'redis://127.0.0.1:1', ...TEST_GOOGLE_CLIENT }));
});
afterAll(() => close());

describe('the receiver while the queue is down', () => {
  it('answers a verified change with 503 so that Google delivers it again, and counts it; no rate limit', async () => {
    const { userId } = await connectedUser(app, 'down@example.edu');
    const token = newChannelToken();
    const channelId = randomUUID();
    await createWatchChannelsRepo(app.db.orm).insert(
      {
        channelId,
        userId,
        calendarId: 'primary',
        kind: 'events',
        resourceId: 'resource-1',
        expiration: new Date(Date.now() + 86_400_000),
        tokenHash: hashChannelToken(app.cipher.deriveKeys('watch-channel-token'), token),
      },
      new Date(),
    );
    const notify = (state: string) =>
      app.http?.inject({
        method: 'POST',
        url: '/webhooks/google',
        headers: {
          'x-goog-channel-id': channelId,
          'x-goog-channel-token': token,
          'x-goog-resource-id': 'resource-1',
          'x-goog-resource-state': state,
        },
      });
    const res = await notify('exists');
    expect(res?.statusCode).toBe(503);
    expect(res?.json().error.code).toBe('queue_unavailable');
    // A sync message needs no queue: still acknowledged, so the channel is not held up.
    expect((await notify('sync'))?.statusCode).toBe(200);
    // Google sends every user's notifications from shared addresses: no per-address limit.
    const burst = await Promise.all(Array.from({ length: 400 }, () => notify('sync')));
    expect(burst.filter((r) => r?.statusCode !== 200)).toEqual([]);
    const metrics = await app.http?.inject('/metrics');
    expect(metrics?.body).toContain('canvascal_push_notifications_total{outcome="queue_unavailable"} 1');
  });
});
