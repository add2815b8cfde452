import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** HMAC keys for channel tokens: the first hashes new tokens, every one verifies (keys being rotated out). */
export type ChannelKeys = readonly [Buffer, ...Buffer[]];

/** A new channel's secret: 256 random bits, sent to Google as the channel token and never stored. */
export function newChannelToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What is stored of a token: `<key fingerprint>.<HMAC under that key>`, the newest key's. A
 * database dump alone cannot forge a token, and the fingerprint tells renewal which channels
 * were hashed under a key being rotated out, so they are replaced while that key still works.
 */
export function hashChannelToken(keys: ChannelKeys, token: string): string {
  return `${fingerprint(keys[0])}.${mac(keys[0], token)}`;
}

/** Whether `token` is the one whose hash is `stored`, compared in constant time. */
export function channelTokenMatches(keys: ChannelKeys, token: string, stored: string): boolean {
  const [print, expectedMac, extra] = stored.split('.');
  if (!print || !expectedMac || extra !== undefined) return false;
  const key = keys.find((k) => fingerprint(k) === print);
  if (!key) return false;
  const expected = Buffer.from(expectedMac);
  const given = Buffer.from(mac(key, token));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Whether `stored` was made under the newest key (else the channel is due for replacement). */
export function hashedUnderNewestKey(keys: ChannelKeys, stored: string): boolean {
  return stored.startsWith(`${fingerprint(keys[0])}.`);
}

// A key's public name: a few bytes of its hash, which says nothing of the key itself.
function fingerprint(key: Buffer): string {
  return createHash('sha256').update('canvascal channel key').update(key).digest('base64url').slice(0, 8);
}

function mac(key: Buffer, token: string): string {
  return createHmac('sha256', key).update(token).digest('base64url');
}
