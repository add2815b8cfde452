import { describe, expect, it } from 'vitest';
import type { CachedEvent } from '../db/calendar-cache-repo.ts';
import { changeTouchesBusyTime } from './busy-change.ts';

const from = new Date('2027-05-03T08:00:00Z');
const to = new Date('2027-05-17T08:00:00Z');
const event = (start: string, end: string, fields: Partial<CachedEvent> = {}): CachedEvent => ({
  eventId: 'e',
  status: 'confirmed',
  summary: 'Meeting',
  startAt: new Date(start),
  endAt: new Date(end),
  allDay: false,
  transparent: false,
  recurringEventId: null,
  etag: null,
  googleUpdatedAt: null,
  ...fields,
});
const inside = event('2027-05-04T10:00:00Z', '2027-05-04T11:00:00Z');
const later = event('2027-06-20T10:00:00Z', '2027-06-20T11:00:00Z');

describe('changeTouchesBusyTime', () => {
  it('counts busy time that appears, goes or moves inside the window', () => {
    expect(changeTouchesBusyTime({ before: undefined, after: inside }, from, to)).toBe(true);
    expect(changeTouchesBusyTime({ before: inside, after: undefined }, from, to)).toBe(true);
    expect(changeTouchesBusyTime({ before: inside, after: later }, from, to)).toBe(true);
    expect(changeTouchesBusyTime({ before: later, after: inside }, from, to)).toBe(true);
    expect(changeTouchesBusyTime({ before: inside, after: { ...inside, transparent: true } }, from, to)).toBe(
      true,
    );
    expect(
      changeTouchesBusyTime({ before: inside, after: { ...inside, status: 'cancelled' } }, from, to),
    ).toBe(true);
    // An event straddling the window's start still blocks time inside it.
    const straddling = event('2027-05-03T07:30:00Z', '2027-05-03T08:30:00Z');
    expect(changeTouchesBusyTime({ before: undefined, after: straddling }, from, to)).toBe(true);
  });

  it('ignores a rename, free or declined events, and busy time outside the window', () => {
    expect(
      changeTouchesBusyTime({ before: inside, after: { ...inside, summary: 'Renamed' } }, from, to),
    ).toBe(false);
    const free = { ...inside, transparent: true };
    expect(changeTouchesBusyTime({ before: undefined, after: free }, from, to)).toBe(false);
    expect(
      changeTouchesBusyTime({ before: free, after: { ...free, startAt: later.startAt } }, from, to),
    ).toBe(false);
    expect(changeTouchesBusyTime({ before: undefined, after: later }, from, to)).toBe(false);
    const past = event('2027-05-01T10:00:00Z', '2027-05-03T08:00:00Z');
    expect(changeTouchesBusyTime({ before: past, after: undefined }, from, to)).toBe(false);
    expect(changeTouchesBusyTime({ before: undefined, after: undefined }, from, to)).toBe(false);
  });
});
