import { describe, expect, it } from 'vitest';
import { assignSlots, type WrittenSlot } from './session-slots.ts';

const at = (hour: number) => `2027-03-01T${String(hour).padStart(2, '0')}:00:00.000Z`;
const row = (slotKey: string, hour: number, status: WrittenSlot['status'] = 'planned'): WrittenSlot => ({
  deadlineKey: 'a',
  slotKey,
  start: new Date(at(hour)),
  end: new Date(at(hour + 1)),
  status,
});
const session = (hour: number, deadlineId = 'a') => ({ deadlineId, start: at(hour), end: at(hour + 1) });

describe('assignSlots', () => {
  it('keeps the slot of an unchanged session and hands a freed slot of the same deadline to a moved one', () => {
    const { sessions, freed } = assignSlots([session(16), session(20)], [row('s1', 16), row('s2', 18)]);
    expect(sessions.map((s) => s.slotKey)).toEqual(['s1', 's2']);
    expect(freed).toEqual([]);
  });

  it('frees what the new plan no longer holds and numbers new sessions past every slot ever used', () => {
    const { sessions, freed } = assignSlots([session(16, 'b')], [row('s1', 16), row('s3', 18, 'dropped')]);
    expect(sessions).toEqual([{ ...session(16, 'b'), slotKey: 's1' }]);
    expect(freed.map((f) => f.slotKey)).toEqual(['s1']);
    const again = assignSlots(
      [session(20), session(21)],
      [row('s3', 18, 'dropped'), row('s1', 16, 'pinned')],
    );
    // A dropped or pinned slot is never handed out: the student's verdict on it stands.
    expect(again.sessions.map((s) => s.slotKey)).toEqual(['s4', 's5']);
  });
});
