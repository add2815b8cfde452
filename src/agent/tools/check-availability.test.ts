import { describe, expect, it } from 'vitest';
import { FREE_BUSY_NOT_GRANTED_REASON, type UserBusy } from '../../google/user-busy.ts';
import { checkAvailabilityTool } from './check-availability.ts';

// The tool over a fake busy map: what is unknown says why and how to fix it; local times beside UTC.

const from = new Date('2026-12-03T14:00:00Z');
const to = new Date('2026-12-03T23:00:00Z');

function toolWith(map: Awaited<ReturnType<UserBusy['getBusy']>>) {
  return checkAvailabilityTool({
    users: { getPlannerPreferences: async () => ({ timeZone: 'America/New_York' }) },
    userBusy: { getBusy: async () => map },
  });
}

describe('check_availability', () => {
  it('groups what could not be read by reason, with the permission or setting that fixes it', async () => {
    const tool = toolWith({
      busy: [{ start: new Date('2026-12-03T15:00:00Z'), end: new Date('2026-12-03T16:00:00Z') }],
      unknown: [
        { start: from, end: to, calendarIds: ['team@group'], reason: FREE_BUSY_NOT_GRANTED_REASON },
        { start: from, end: to, calendarIds: ['gone@group'], reason: 'notInCalendarList' },
      ],
      queries: 1,
      calendars: ['primary', 'team@group'],
      notes: ['a note'],
    });
    const { data, summary } = await tool.run('alice', {
      from: from.toISOString(),
      to: to.toISOString(),
      minMinutes: 30,
      includeStudyBlocks: false,
    });
    expect(data.free).toEqual([]);
    expect(data.busy).toEqual([
      {
        start: '2026-12-03T15:00:00.000Z',
        end: '2026-12-03T16:00:00.000Z',
        startLocal: '2026-12-03T10:00-05:00',
        endLocal: '2026-12-03T11:00-05:00',
      },
    ]);
    expect(data.unreadable).toEqual([
      {
        calendarIds: ['team@group'],
        reason: FREE_BUSY_NOT_GRANTED_REASON,
        fix: expect.stringMatching(/freebusy/),
      },
      {
        calendarIds: ['gone@group'],
        reason: 'notInCalendarList',
        fix: expect.stringMatching(/choose the counted calendars/),
      },
    ]);
    expect(data.calendarsCounted).toEqual(['primary', 'team@group']);
    expect(summary).toMatch(/unknown \(never free\)/);
  });

  it('refuses a range longer than the limit, saying what to change', async () => {
    const tool = toolWith({ busy: [], unknown: [], queries: 0, calendars: [], notes: [] });
    await expect(
      tool.run('alice', {
        from: '2026-12-01T00:00:00Z',
        to: '2027-01-02T00:00:00Z',
        minMinutes: 30,
        includeStudyBlocks: false,
      }),
    ).rejects.toThrow(/at most 31 days/);
  });
});
