import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { WatchChannel } from '../db/watch-channels-repo.ts';
import { type ChannelKeys, hashChannelToken } from './channel-token.ts';
import { judgeNotification, type PushNotification } from './notification-verdict.ts';

const keys: ChannelKeys = [randomBytes(32)];
const NOW = new Date('2030-01-10T00:00:00Z');
const channel: WatchChannel = {
  channelId: '4ba78bf0-6a47-11e2-bcfd-0800200c9a66',
  userId: 'u1',
  calendarId: 'primary',
  kind: 'events',
  resourceId: 'ret08u3rv24htgh289g',
  expiration: new Date(NOW.getTime() + 86_400_000),
  tokenHash: hashChannelToken(keys, 'the-secret'),
  createdAt: new Date(NOW.getTime() - 86_400_000),
  stoppedAt: null,
};
const notification: PushNotification = {
  channelId: channel.channelId,
  token: 'the-secret',
  resourceId: channel.resourceId,
  resourceState: 'exists',
};
const judge = (n: Partial<PushNotification>, c: WatchChannel | null = channel) =>
  judgeNotification({ ...notification, ...n }, c ?? undefined, keys, NOW).outcome;

describe('judging a push notification', () => {
  it('a verified exists or not_exists is a change; a verified sync only an acknowledgement', () => {
    expect(judge({})).toBe('change');
    expect(judge({ resourceState: 'not_exists' })).toBe('change');
    expect(judge({ resourceState: 'sync' })).toBe('sync');
  });

  it('an unknown channel, a wrong or missing token, a wrong resource are refused', () => {
    expect(judge({}, null)).toBe('unknown');
    expect(judge({ token: 'guess' })).toBe('forged');
    expect(judge({ token: undefined })).toBe('forged');
    expect(judge({ token: channel.tokenHash })).toBe('forged');
    expect(judge({ resourceId: 'another' })).toBe('wrong_resource');
  });

  it('a stopped channel of ours is recognised (to stop it again), an expired one ignored', () => {
    expect(judge({}, { ...channel, stoppedAt: NOW })).toBe('stopped');
    expect(judge({}, { ...channel, expiration: NOW })).toBe('expired');
    // Only the token holder learns that: a forged note on a stopped channel is just forged.
    expect(judge({ token: 'guess' }, { ...channel, stoppedAt: NOW })).toBe('forged');
  });
});
