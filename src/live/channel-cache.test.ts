import { describe, expect, it } from 'vitest';
import type { WatchChannel } from '../db/watch-channels-repo.ts';
import { cachedChannelLookup } from './channel-cache.ts';

const row = (channelId: string) => ({ channelId }) as WatchChannel;

describe('the receiver channel cache', () => {
  it('reads a found row once per TTL, never keeps "not found", and stays within its size', async () => {
    let clock = 0;
    const reads: string[] = [];
    const known = new Set(['a', 'b', 'c']);
    const lookup = cachedChannelLookup(
      {
        async get(id) {
          reads.push(id);
          return known.has(id) ? row(id) : undefined;
        },
      },
      { ttlMs: 1_000, max: 2, now: () => clock },
    );
    for (let i = 0; i < 5; i++) expect((await lookup.get('a'))?.channelId).toBe('a');
    expect(reads).toEqual(['a']);
    // Unknown now, recorded a moment later: the second look finds it.
    expect(await lookup.get('d')).toBeUndefined();
    known.add('d');
    expect((await lookup.get('d'))?.channelId).toBe('d');
    clock = 1_000;
    await lookup.get('a');
    expect(reads).toEqual(['a', 'd', 'd', 'a']);
    // Past the size limit the oldest read goes.
    await lookup.get('b');
    await lookup.get('c');
    reads.length = 0;
    await lookup.get('d');
    expect(reads).toEqual(['d']);
  });
});
