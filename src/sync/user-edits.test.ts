import { describe, expect, it } from 'vitest';
import type { GoogleEvent } from '../google/calendar-api.ts';
import { detectUserEdits, type WrittenDeadline } from './user-edits.ts';

const ours = (
  id: string,
  sourceKey: string,
  start: GoogleEvent['start'],
  end: GoogleEvent['end'],
): GoogleEvent => ({
  id,
  status: 'confirmed',
  start,
  end,
  extendedProperties: { private: { canvascal: '1', sourceKey, contentHash: 'h' } },
});

const deadlines = new Map<string, WrittenDeadline>([
  ['assignment:1:10', { dueAt: new Date('2026-12-04T05:59:59Z'), allDay: false, allDayDate: null }],
  ['assignment:1:11', { dueAt: new Date('2026-12-05T05:59:59Z'), allDay: true, allDayDate: '2026-12-04' }],
]);
const mapped = new Set(['e10', 'e11', 'e12']);

describe('detectUserEdits', () => {
  it('sees nothing when our events are where we put them, whatever offset Google writes', () => {
    const events = [
      ours(
        'e10',
        'assignment:1:10',
        { dateTime: '2026-12-03T23:29:59-06:00' },
        { dateTime: '2026-12-03T23:59:59-06:00', timeZone: 'America/Chicago' },
      ),
      ours('e11', 'assignment:1:11', { date: '2026-12-04' }, { date: '2026-12-05' }),
    ];
    expect(detectUserEdits(events, deadlines, mapped, 'America/Chicago')).toEqual([]);
  });

  it('a timed event whose end left the deadline, or an all-day one on another day, was moved', () => {
    const events = [
      ours(
        'e10',
        'assignment:1:10',
        { dateTime: '2026-12-03T20:00:00Z' },
        { dateTime: '2026-12-03T21:00:00Z' },
      ),
      ours('e11', 'assignment:1:11', { date: '2026-12-03' }, { date: '2026-12-04' }),
    ];
    expect(detectUserEdits(events, deadlines, mapped, 'UTC').map((e) => [e.googleEventId, e.edit])).toEqual([
      ['e10', 'moved'],
      ['e11', 'moved'],
    ]);
  });

  it('a tombstone of a mapped event was deleted; strangers and unmapped events are ignored', () => {
    const events: GoogleEvent[] = [
      { id: 'e12', status: 'cancelled' },
      { id: 'other', status: 'cancelled' },
      {
        id: 'mine',
        status: 'confirmed',
        start: { dateTime: '2026-12-01T10:00:00Z' },
        end: { dateTime: '2026-12-01T11:00:00Z' },
      },
    ];
    expect(detectUserEdits(events, deadlines, mapped, 'UTC')).toEqual([
      { googleEventId: 'e12', sourceKey: '', edit: 'deleted' },
    ]);
  });
});
