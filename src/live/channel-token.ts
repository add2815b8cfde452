import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** HMAC keys for channel tokens: the first hashes new tokens, every one verifies (keys being rotated out). */
export type ChannelKeys = readonly [Buffer, ...Buffer[]];

/** A new channel's secret: 256 random bits, sent to Google as the channel token and never stored. */
export function newChannelToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a token: its HMAC under the newest key, so a database dump alone cannot forge one. */
export function hashChannelToken(keys: ChannelKeys, token: string): string {
  return mac(keys[0], token);
}

/** Whether `token` is the one whose hash is `stored`, under any key of the ring, in constant time. */
export function channelTokenMatches(keys: ChannelKeys, token: string, stored: string): boolean {
  const expected = Buffer.from(stored);
  let matched = false;
  for (const key of keys) {
    const given = Buffer.from(mac(key, token));
    // Every key is tried: the time taken does not say which key (or whether any) matched.
    if (given.length === expected.length && timingSafeEqual(given, expected)) matched = true;
  }
  return matched;
}

function mac(key: Buffer, token: string): string {
  return createHmac('sha256', key).update(token).digest('base64url');
}
