import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { essay, NOW, studyRow as row, rescheduleWorld as setup } from '../testing/reschedule-fakes.ts';

// The tool over fakes of its services, at a fixed "now": which sessions conflict, what moves.

const overlapping = (a: { start: string; end: string }, b: { start: string; end: string }) =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(a.end) > Date.parse(b.start);

describe('reschedule_conflicts', () => {
  it('without an earlier plan, makes a fresh one and reports no conflicts', async () => {
    const { run } = setup();
    const { data } = await run();
    expect(data.basedOn).toBeNull();
    expect(data.conflicts).toEqual([]);
    expect(data.notes[0]).toMatch(/no earlier plan/);
  });

  it('reports busy and unknown overlaps, never touches past sessions, and proposes a stable re-plan', async () => {
    const { run, setBusy, proposals } = setup();
    const fresh = await run();
    const stored = await proposals.get('alice', fresh.data.proposalId);
    if (!stored) throw new Error('the fresh plan was not stored');
    expect(stored.sessions.length).toBeGreaterThanOrEqual(2);
    const [hit, unknownHit] = stored.sessions;
    if (!hit || !unknownHit) throw new Error('need two sessions');
    // A session that already happened, under busy time: history, not a conflict.
    const past = {
      deadlineId: essay.sourceKey,
      start: '2026-11-30T15:00:00.000Z',
      end: '2026-11-30T16:00:00.000Z',
      pinned: false,
    };
    const base = await proposals.save('alice', [past, ...stored.sessions]);
    setBusy([
      { start: hit.start, end: hit.end, status: 'busy' },
      { start: unknownHit.start, end: unknownHit.end, status: 'unknown' },
      { start: past.start, end: past.end, status: 'busy' },
    ]);
    const { data } = await run({ proposalId: base.id });
    expect(data.basedOn).toBe(base.id);
    expect(data.conflicts.map((c) => [c.start, c.overlaps])).toEqual([
      [hit.start, 'busy'],
      [unknownHit.start, 'unknown'],
    ]);
    expect(data.moves.remove.map((r) => [r.start, r.reason])).toEqual([
      [hit.start, 'conflict'],
      [unknownHit.start, 'conflict'],
    ]);
    expect(data.keptCount).toBe(stored.sessions.length - 2);
    for (const added of data.moves.add)
      for (const blocked of [hit, unknownHit])
        expect(
          Date.parse(added.start) < Date.parse(blocked.end) &&
            Date.parse(added.end) > Date.parse(blocked.start),
        ).toBe(false);
    expect(data.conflicts[0]).toMatchObject({ title: 'Essay', course: 'Writing' });
  });

  it('refuses apply, and an id that is not this user’s', async () => {
    const { run } = setup();
    await expect(run({ apply: true })).rejects.toThrow(/not available yet/);
    await expect(run({ apply: true })).rejects.toBeInstanceOf(AppError);
    await expect(run({ proposalId: '00000000-0000-4000-8000-000000000000' })).rejects.toThrow(
      /No plan or proposal/,
    );
  });

  it('applies exactly the proposal while it still fits', async () => {
    const { run, writes, proposals } = setup({ apply: true });
    const fresh = await run();
    expect(writes).toEqual([]);
    const stored = await proposals.get('alice', fresh.data.proposalId);
    const { data } = await run({ apply: true, proposalId: fresh.data.proposalId });
    expect(data.applied).toBe(true);
    expect(data.proposalId).toBe(fresh.data.proposalId);
    expect(writes).toEqual([{ userId: 'alice', sessions: stored?.sessions }]);
    expect(data.written).toEqual({ moved: 0, added: stored?.sessions.length, removed: 0, unchanged: 0 });
  });

  it('writes nothing and answers with a fresh proposal when busy time changed since', async () => {
    const { run, writes, setBusy, proposals } = setup({ apply: true });
    const fresh = await run();
    const [first] = (await proposals.get('alice', fresh.data.proposalId))?.sessions ?? [];
    if (!first) throw new Error('the fresh plan has no session');
    setBusy([{ start: first.start, end: first.end, status: 'busy' }]);
    const { data, summary } = await run({ apply: true, proposalId: fresh.data.proposalId });
    expect(writes).toEqual([]);
    expect(data.applied).toBe(false);
    expect(data.proposalId).not.toBe(fresh.data.proposalId);
    expect(data.notes[0]).toMatch(/no longer fits/);
    expect(summary).toMatch(/nothing was written/);
    expect(data.moves.remove.map((r) => r.start)).toEqual([first.start]);
    // The fresh proposal fits the new busy time, so applying it writes.
    const again = await run({ apply: true, proposalId: data.proposalId });
    expect(again.data.applied).toBe(true);
    expect(writes).toHaveLength(1);
  });

  it('apply needs a proposalId of this user', async () => {
    const { run, writes } = setup({ apply: true });
    const mine = await run();
    await expect(run({ apply: true })).rejects.toThrow(/needs the proposalId/);
    await expect(run({ apply: true, proposalId: mine.data.proposalId }, 'mallory')).rejects.toThrow(
      /No plan or proposal/,
    );
    expect(writes).toEqual([]);
  });

  it('refuses to apply while automatic planning is off (the writer would clear the sessions)', async () => {
    const { run, writes } = setup({ apply: true, autoPlan: false });
    const mine = await run();
    await expect(run({ apply: true, proposalId: mine.data.proposalId })).rejects.toThrow(
      /planning on the calendar is off/,
    );
    expect(writes).toEqual([]);
  });

  it('starts from the sessions on the study calendar: moves the one in conflict, never a pinned, dropped or past one', async () => {
    const fresh = setup();
    const { data: planned } = await fresh.run();
    const sessions = (await fresh.proposals.get('alice', planned.proposalId))?.sessions ?? [];
    const [hit, pinned, dropped, ...rest] = sessions;
    if (!hit || !pinned || !dropped) throw new Error('need three sessions');
    const past = { start: '2026-11-30T15:00:00.000Z', end: '2026-11-30T16:00:00.000Z' };
    const calendar = [
      row(past, 'planned', 0),
      row(hit, 'planned', 1),
      row(pinned, 'pinned', 2),
      row(dropped, 'dropped', 3),
      ...rest.map((s, i) => row(s, 'planned', 4 + i)),
    ];
    const { run, setBusy, proposals } = setup({ calendar });
    setBusy([
      { start: hit.start, end: hit.end, status: 'busy' },
      { start: pinned.start, end: pinned.end, status: 'busy' },
      { start: past.start, end: past.end, status: 'busy' },
    ]);
    const { data, summary } = await run();
    expect(data.checked).toBe('calendar');
    expect(data.basedOn).toBeNull();
    expect(summary).toMatch(/on your study calendar/);
    // Only the planned session under busy time conflicts; the pinned one is the student's.
    expect(data.conflicts.map((c) => [c.start, c.overlaps])).toEqual([[hit.start, 'busy']]);
    expect(data.moves.remove.map((r) => [r.start, r.reason])).toEqual([[hit.start, 'conflict']]);
    expect(data.keptCount).toBe(rest.length);
    const proposal = (await proposals.get('alice', data.proposalId))?.sessions ?? [];
    // The pin stays where the student put it and the past session where it was (study done),
    // both flagged pinned; nothing new is planned in the past or in the dropped time.
    expect(proposal.filter((s) => s.pinned).map((s) => s.start)).toEqual([past.start, pinned.start]);
    for (const s of proposal.filter((p) => !p.pinned)) {
      expect(Date.parse(s.start)).toBeGreaterThanOrEqual(NOW.getTime());
      for (const blocked of [hit, dropped]) expect(overlapping(s, blocked)).toBe(false);
    }
    for (const kept of rest) expect(proposal.map((s) => s.start)).toContain(kept.start);
  });
});
