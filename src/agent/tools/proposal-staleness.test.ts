import { describe, expect, it } from 'vitest';
import type { PlannedSession } from '../../planner/index.ts';
import { essay, rescheduleWorld, studyRow } from '../testing/reschedule-fakes.ts';

// What apply checks before writing: every input the proposal was made from, the sessions on
// the study calendar and the student's pins and drops included. Each test changes one input
// between the proposal and its apply, and counts the writes.

const HOUR = 3_600_000;
const shift = (s: { start: string; end: string }, ms: number) => ({
  start: new Date(Date.parse(s.start) + ms).toISOString(),
  end: new Date(Date.parse(s.end) + ms).toISOString(),
});
const overlapping = (a: { start: string; end: string }, b: { start: string; end: string }) =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(a.end) > Date.parse(b.start);

/** A world whose study calendar holds a fresh plan, and a dry-run proposal made from it. */
async function proposedOnCalendar() {
  const first = rescheduleWorld();
  const { data } = await first.run();
  const sessions: readonly PlannedSession[] =
    (await first.proposals.get('alice', data.proposalId))?.sessions ?? [];
  if (sessions.length < 3) throw new Error('need three sessions');
  const rows = sessions.map((s, i) => studyRow(s, 'planned', i));
  const world = rescheduleWorld({ apply: true, calendar: rows });
  const dry = await world.run();
  expect(dry.data.checked).toBe('calendar');
  expect(dry.data.moves).toEqual({ remove: [], add: [] });
  return { world, rows, sessions, proposalId: dry.data.proposalId };
}

describe('reschedule_conflicts apply checks what the proposal was made from', () => {
  it('the student deleted a session on the calendar since: a fresh proposal from the calendar, nothing written', async () => {
    const { world, rows, sessions, proposalId } = await proposedOnCalendar();
    const [, deleted] = rows;
    if (!deleted) throw new Error('no second row');
    world.setCalendar(rows.map((r) => (r === deleted ? { ...r, status: 'dropped' as const } : r)));
    const { data, summary } = await world.run({ apply: true, proposalId });
    expect(world.writes).toEqual([]);
    expect(data.applied).toBe(false);
    expect(data.checked).toBe('calendar');
    expect(data.proposalId).not.toBe(proposalId);
    expect(data.notes[0]).toMatch(/no longer fits \(the sessions on the study calendar .* changed since/);
    expect(summary).toMatch(/nothing was written/);
    // The fresh proposal never plans the deleted time again, and applies.
    const fresh = (await world.proposals.get('alice', data.proposalId))?.sessions ?? [];
    for (const s of fresh) expect(overlapping(s, sessions[1] ?? s)).toBe(false);
    expect((await world.run({ apply: true, proposalId: data.proposalId })).data.applied).toBe(true);
    expect(world.writes).toHaveLength(1);
  });

  it('the student moved a session since: the fresh proposal keeps it where they put it, pinned, and writes it not', async () => {
    const { world, rows, proposalId } = await proposedOnCalendar();
    const [moved] = rows;
    if (!moved) throw new Error('no row');
    const to = shift({ start: moved.start.toISOString(), end: moved.end.toISOString() }, -HOUR);
    world.setCalendar(
      rows.map((r) =>
        r === moved
          ? { ...r, start: new Date(to.start), end: new Date(to.end), status: 'pinned' as const }
          : r,
      ),
    );
    const stale = await world.run({ apply: true, proposalId });
    expect(world.writes).toEqual([]);
    expect(stale.data.applied).toBe(false);
    expect(stale.data.notes[0]).toMatch(/no longer fits \(the sessions on the study calendar/);
    const fresh = (await world.proposals.get('alice', stale.data.proposalId))?.sessions ?? [];
    expect(fresh.filter((s) => s.pinned).map((s) => s.start)).toEqual([to.start]);
    await world.run({ apply: true, proposalId: stale.data.proposalId });
    expect(world.writes).toHaveLength(1);
    expect(world.writes[0]?.sessions.some((s) => s.pinned || s.start === to.start)).toBe(false);
  });

  it('names changed deadlines and changed settings, and writes nothing for either', async () => {
    const { world, proposalId } = await proposedOnCalendar();
    world.setDeadlines([{ ...essay, effortMinutes: 300 }]);
    const deadlines = await world.run({ apply: true, proposalId });
    expect(deadlines.data.notes[0]).toMatch(/no longer fits \(deadlines changed/);

    world.setPreferences({ autoPlan: true, bufferMinutes: 30 });
    const settings = await world.run({ apply: true, proposalId: deadlines.data.proposalId });
    expect(settings.data.notes[0]).toMatch(/no longer fits \(planner settings changed/);
    expect(world.writes).toEqual([]);
  });

  it('a calendar that already holds the proposal is no change: applying it again is allowed', async () => {
    const { world, rows, proposalId } = await proposedOnCalendar();
    expect((await world.run({ apply: true, proposalId })).data.applied).toBe(true);
    // The writer rewrote every row (new ids and slots) at the same times.
    world.setCalendar(rows.map((r, i) => ({ ...r, id: `rewritten-${i}`, slotKey: `s${i}` })));
    expect((await world.run({ apply: true, proposalId })).data.applied).toBe(true);
    // Rows at other times are a change, though.
    world.setCalendar(rows.slice(1));
    expect((await world.run({ apply: true, proposalId })).data.applied).toBe(false);
    expect(world.writes).toHaveLength(2);
  });

  it('a plan get_study_plan showed has no record of its inputs: applying it answers a fresh proposal', async () => {
    const world = rescheduleWorld({ apply: true });
    const shown = await world.proposals.save('alice', []);
    const { data } = await world.run({ apply: true, proposalId: shown.id });
    expect(data.applied).toBe(false);
    expect(data.notes[0]).toMatch(/not a reschedule_conflicts proposal/);
    expect(world.writes).toEqual([]);
  });
});
