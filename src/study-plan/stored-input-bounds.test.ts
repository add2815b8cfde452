import { describe, expect, it } from 'vitest';
import { boundStoredBusy, boundStoredDeadlines } from './stored-input-bounds.ts';

const due = (iso: string) => ({ dueAt: new Date(iso) });

describe('stored data within the planner limits', () => {
  it('keeps every deadline under the limit, and the soonest ones past it with a note', () => {
    const three = [due('2026-09-03T00:00:00Z'), due('2026-09-01T00:00:00Z'), due('2026-09-02T00:00:00Z')];
    expect(boundStoredDeadlines(three, 3)).toEqual({ kept: three, notes: [] });
    const bounded = boundStoredDeadlines(three, 2);
    expect(bounded.kept.map((d) => d.dueAt.toISOString())).toEqual([
      '2026-09-01T00:00:00.000Z',
      '2026-09-02T00:00:00.000Z',
    ]);
    expect(bounded.notes).toEqual([
      expect.stringMatching(/3 open deadlines .* at most 2, so the 1 due from 2026-09-03T00:00:00.000Z on/),
    ]);
  });

  it('turns the busy time past the limit into unknown time up to the end of the horizon', () => {
    const busy = [
      { start: '2026-09-03T10:00:00Z', end: '2026-09-03T11:00:00Z' },
      { start: '2026-09-01T10:00:00Z', end: '2026-09-01T11:00:00Z' },
      { start: '2026-09-02T10:00:00Z', end: '2026-09-02T11:00:00Z' },
    ];
    const horizonEnd = new Date('2026-09-10T00:00:00Z');
    expect(boundStoredBusy(busy, 3, horizonEnd)).toEqual({ kept: busy, notes: [] });
    const bounded = boundStoredBusy(busy, 2, horizonEnd);
    expect(bounded.kept).toEqual([
      { start: '2026-09-01T10:00:00Z', end: '2026-09-01T11:00:00Z' },
      { start: '2026-09-02T10:00:00Z', end: '2026-09-10T00:00:00.000Z', status: 'unknown' },
    ]);
    expect(bounded.notes).toEqual([
      expect.stringMatching(/more than 2 busy intervals .* counted as unknown/),
    ]);
  });
});
