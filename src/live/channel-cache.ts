import type { WatchChannel, WatchChannelsRepo } from '../db/watch-channels-repo.ts';

export interface ChannelCacheOptions {
  /** How long a row read is trusted (default 30 s, the debounce window). */
  ttlMs?: number;
  /** Rows kept at most; the oldest read goes first (default 20,000). */
  max?: number;
  now?: () => number;
}

/**
 * The receiver's read of a channel row, kept for a short while: a storm of notifications for
 * one calendar then costs one database read, not a hundred. Only rows found are kept: a
 * channel is recorded just after Google opened it (and sent its first message), so "not
 * found" may be true only for a moment. What a stale row can do is bounded by the TTL and
 * harmless: a channel stopped or a user disconnected in the last seconds can still queue a
 * debounced sync, which finds the connection gone and calls nobody; and the token, resource
 * id and expiration of a channel never change after it is recorded.
 */
export function cachedChannelLookup(
  repo: Pick<WatchChannelsRepo, 'get'>,
  options: ChannelCacheOptions = {},
): Pick<WatchChannelsRepo, 'get'> {
  const ttlMs = options.ttlMs ?? 30_000;
  const max = options.max ?? 20_000;
  const now = options.now ?? (() => Date.now());
  const rows = new Map<string, { channel: WatchChannel; until: number }>();
  return {
    async get(channelId) {
      const hit = rows.get(channelId);
      if (hit && hit.until > now()) return hit.channel;
      if (hit) rows.delete(channelId);
      const channel = await repo.get(channelId);
      if (channel) {
        rows.set(channelId, { channel, until: now() + ttlMs });
        // A Map iterates in insertion order: the first key is the oldest read.
        if (rows.size > max) rows.delete(rows.keys().next().value ?? '');
      }
      return channel;
    },
  };
}
