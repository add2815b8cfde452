import { describe, expect, it } from 'vitest';
import { createMemoryProposalStore } from './proposal-store.ts';

// The shared promises are in test/agent/proposal-store.contract.ts; this is memory's own bound.
describe('memory proposal store', () => {
  it('holds at most maxUsers users, dropping the one idle longest', async () => {
    const store = createMemoryProposalStore({ maxUsers: 2 });
    await store.save('a', []);
    await store.save('b', []);
    await store.save('a', []);
    await store.save('c', []);
    expect(await store.latest('b')).toBeUndefined();
    expect(await store.latest('a')).toBeDefined();
    expect(await store.latest('c')).toBeDefined();
  });
});
