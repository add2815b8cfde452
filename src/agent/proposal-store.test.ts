import { describe, expect, it } from 'vitest';
import { createProposalStore } from './proposal-store.ts';

const session = (start: string) => ({
  deadlineId: 'essay',
  start,
  end: start.replace('T09', 'T10'),
  pinned: false,
});

describe('proposal store', () => {
  it('finds a plan only for the user who was shown it', () => {
    const store = createProposalStore();
    const plan = store.save('alice', [session('2026-12-03T09:00:00.000Z')]);
    expect(store.get('alice', plan.id)?.sessions).toHaveLength(1);
    expect(store.get('bob', plan.id)).toBeUndefined();
    expect(store.latest('bob')).toBeUndefined();
  });

  it('keeps the newest plans per user and forgets old ones', () => {
    let now = Date.parse('2026-12-01T00:00:00Z');
    const store = createProposalStore({ now: () => new Date(now), perUser: 2, ttlMs: 3_600_000 });
    const first = store.save('alice', []);
    const second = store.save('alice', []);
    const third = store.save('alice', []);
    expect(store.get('alice', first.id)).toBeUndefined();
    expect(store.get('alice', second.id)).toBeDefined();
    expect(store.latest('alice')?.id).toBe(third.id);
    now += 3_600_001;
    expect(store.latest('alice')).toBeUndefined();
  });

  it('holds at most maxUsers users, dropping the one idle longest', () => {
    const store = createProposalStore({ maxUsers: 2 });
    store.save('a', []);
    store.save('b', []);
    store.save('a', []);
    store.save('c', []);
    expect(store.latest('b')).toBeUndefined();
    expect(store.latest('a')).toBeDefined();
    expect(store.latest('c')).toBeDefined();
  });
});
