import type { WatchChannel } from '../db/watch-channels-repo.ts';
import { type ChannelKeys, channelTokenMatches } from './channel-token.ts';

/** The headers of one Google push notification that decide what it does (bodies are empty). */
export interface PushNotification {
  channelId: string;
  /** `X-Goog-Channel-Token`; absent when the sender set none (never for our channels). */
  token: string | undefined;
  resourceId: string;
  resourceState: 'sync' | 'exists' | 'not_exists';
}

export type Verdict =
  /** A verified change: delta-sync the channel's calendar. */
  | { outcome: 'change'; channel: WatchChannel }
  /** A verified first message of a channel: acknowledged, nothing to do. */
  | { outcome: 'sync'; channel: WatchChannel }
  /** Ours and verified, but stopped by us: Google still delivers, so it is stopped again. */
  | { outcome: 'stopped'; channel: WatchChannel }
  /** Ours and verified, but past its expiration (a late delivery): ignored. */
  | { outcome: 'expired'; channel: WatchChannel }
  | { outcome: 'unknown' | 'forged' | 'wrong_resource' };

/**
 * What one notification is worth. The rule that matters: nothing is trusted before the token
 * matches the channel's stored hash (in constant time), so only the holder of a channel's
 * secret (Google) can make CanvasCal work, and a stranger learns nothing from the answer.
 */
export function judgeNotification(
  notification: PushNotification,
  channel: WatchChannel | undefined,
  keys: ChannelKeys,
  now: Date,
): Verdict {
  if (!channel) return { outcome: 'unknown' };
  if (notification.token === undefined || !channelTokenMatches(keys, notification.token, channel.tokenHash))
    return { outcome: 'forged' };
  if (notification.resourceId !== channel.resourceId) return { outcome: 'wrong_resource' };
  if (channel.stoppedAt) return { outcome: 'stopped', channel };
  if (channel.expiration.getTime() <= now.getTime()) return { outcome: 'expired', channel };
  if (notification.resourceState === 'sync') return { outcome: 'sync', channel };
  return { outcome: 'change', channel };
}
