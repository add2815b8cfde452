import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ProposalLimits, ProposalStore } from '../../src/agent/proposal-store.ts';

export interface ProposalHarness {
  store(limits: ProposalLimits): ProposalStore;
  /** Makes the user exist (a users row where the backend has one). */
  addUser(id: string): Promise<void>;
  /** The same storage seen by a second service process (a fresh store over the same data). */
  reopen?(limits: ProposalLimits): ProposalStore;
  /** False only for a backend that is one process's by design (memory). */
  shared: boolean;
  done(): Promise<void>;
}

const session = (start: string) => ({
  deadlineId: 'essay',
  start,
  end: start.replace('T09', 'T10'),
  pinned: false,
});

/** The ProposalStore promises, asserted on every backend. */
export function proposalStoreContract(open: () => Promise<ProposalHarness>): void {
  let harness: ProposalHarness;
  let now: number;
  let alice: string;
  let bob: string;
  const limits = (extra: ProposalLimits = {}): ProposalLimits => ({ now: () => new Date(now), ...extra });

  beforeEach(async () => {
    harness = await open();
    now = Date.parse('2031-03-01T12:00:00Z');
    alice = randomUUID();
    bob = randomUUID();
    await harness.addUser(alice);
    await harness.addUser(bob);
  });
  afterEach(() => harness.done());

  it('returns a saved plan, with its sessions, only to the user who was shown it', async () => {
    const store = harness.store(limits());
    const plan = await store.save(alice, [
      session('2031-03-03T09:00:00.000Z'),
      session('2031-03-04T09:00:00.000Z'),
    ]);
    const read = await store.get(alice, plan.id);
    expect(read).toMatchObject({ id: plan.id, userId: alice });
    expect(read?.sessions).toEqual(plan.sessions);
    expect(read?.createdAt.toISOString()).toBe(new Date(now).toISOString());
    expect(await store.get(bob, plan.id)).toBeUndefined();
    expect(await store.latest(bob)).toBeUndefined();
    expect(await store.get(alice, randomUUID())).toBeUndefined();
    expect(await store.get(alice, 'not-a-uuid')).toBeUndefined();
  });

  it('keeps what a proposal was made from beside it; a plan saved without one reads null', async () => {
    const store = harness.store(limits());
    const basis = {
      from: '2031-03-01T12:00:00.000Z',
      to: '2031-03-15T12:00:00.000Z',
      settings: 's1',
      deadlines: 'd1',
      busy: 'b1',
      calendar: 'c1',
    };
    const proposal = await store.save(alice, [session('2031-03-03T09:00:00.000Z')], basis);
    const shown = await store.save(alice, []);
    expect((await store.get(alice, proposal.id))?.basis).toEqual(basis);
    expect((await store.get(alice, shown.id))?.basis).toBeNull();
    expect((await store.latest(alice))?.basis).toBeNull();
  });

  it('keeps the newest plans per user, in the order saved even at one instant, and forgets old ones', async () => {
    const store = harness.store(limits({ perUser: 2, ttlMs: 3_600_000 }));
    const first = await store.save(alice, []);
    const second = await store.save(alice, []);
    const bobs = await store.save(bob, []);
    const third = await store.save(alice, []);
    expect(await store.get(alice, first.id)).toBeUndefined();
    expect(await store.get(alice, second.id)).toBeDefined();
    expect((await store.latest(alice))?.id).toBe(third.id);
    // Alice's saves never crowd out Bob's plan.
    expect((await store.latest(bob))?.id).toBe(bobs.id);
    now += 3_600_001;
    expect(await store.latest(alice)).toBeUndefined();
    expect(await store.get(alice, third.id)).toBeUndefined();
    expect(await store.get(bob, bobs.id)).toBeUndefined();
  });

  it('a plan saved by one process is read by another (where the backend is shared)', async () => {
    // Memory is one process's by design: its harness has no reopen, and the check is that it says so.
    if (!harness.reopen) return expect(harness.shared).toBe(false);
    const plan = await harness.store(limits()).save(alice, [session('2031-03-03T09:00:00.000Z')]);
    const other = harness.reopen(limits());
    expect((await other.get(alice, plan.id))?.sessions).toHaveLength(1);
    expect((await other.latest(alice))?.id).toBe(plan.id);
  });
}
