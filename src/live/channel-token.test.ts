import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ChannelKeys,
  channelTokenMatches,
  hashChannelToken,
  hashedUnderNewestKey,
  newChannelToken,
} from './channel-token.ts';

const key = () => randomBytes(32);

describe('channel tokens', () => {
  it('are at least 128 random bits, and differ each time', () => {
    const token = newChannelToken();
    expect(Buffer.from(token, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(newChannelToken()).not.toBe(token);
  });

  it('match only their own hash, and the hash is no use without the key', () => {
    const keys: ChannelKeys = [key()];
    const token = newChannelToken();
    const stored = hashChannelToken(keys, token);
    expect(stored).not.toContain(token);
    expect(channelTokenMatches(keys, token, stored)).toBe(true);
    expect(channelTokenMatches(keys, newChannelToken(), stored)).toBe(false);
    // Someone holding only a dump (the stored hash) cannot present it as the token.
    expect(channelTokenMatches(keys, stored, stored)).toBe(false);
    expect(channelTokenMatches([key()], token, stored)).toBe(false);
  });

  it('still verify a token hashed under a key being rotated out', () => {
    const old = key();
    const token = newChannelToken();
    const stored = hashChannelToken([old], token);
    const rotated: ChannelKeys = [key(), old];
    expect(channelTokenMatches(rotated, token, stored)).toBe(true);
    // ... and say that it was, so renewal replaces the channel while the old key still works.
    expect(hashedUnderNewestKey([old], stored)).toBe(true);
    expect(hashedUnderNewestKey(rotated, stored)).toBe(false);
    expect(channelTokenMatches([key()], token, stored)).toBe(false);
  });
});
