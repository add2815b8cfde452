import { describe, expect, it } from 'vitest';
import { instantArgument, localTime } from './local-time.ts';

describe('local times beside UTC', () => {
  it('shows the offset in force at that instant, across a DST change', () => {
    expect(localTime('2026-03-07T14:00:00Z', 'America/New_York')).toBe('2026-03-07T09:00-05:00');
    expect(localTime('2026-03-09T13:00:00Z', 'America/New_York')).toBe('2026-03-09T09:00-04:00');
    expect(localTime('2026-12-03T23:30:00Z', 'Asia/Kolkata')).toBe('2026-12-04T05:00+05:30');
  });

  it('refuses an instant without an offset, naming the field', () => {
    const from = instantArgument('from', '2026-12-03T08:00:00-05:00');
    expect(from.safeParse('2026-12-03T08:00:00-05:00').success).toBe(true);
    expect(from.safeParse('2026-12-03T13:00:00Z').success).toBe(true);
    const local = from.safeParse('2026-12-03T08:00:00');
    expect(local.success).toBe(false);
    expect(local.error?.issues[0]?.message).toMatch(/^from must be an ISO 8601 date-time with an offset/);
  });
});
