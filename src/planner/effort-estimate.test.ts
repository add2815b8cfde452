import { describe, expect, it } from 'vitest';
import { estimateEffortMinutes } from './effort-estimate.ts';
import { DEFAULT_PREFERENCES, PlannerPreferencesSchema } from './preferences.ts';

describe('estimateEffortMinutes', () => {
  it('grows with points, within a range per kind, in quarter hours', () => {
    expect(estimateEffortMinutes({ kind: 'assignment', pointsPossible: null })).toBe(60);
    expect(estimateEffortMinutes({ kind: 'assignment', pointsPossible: 100 })).toBe(210);
    expect(estimateEffortMinutes({ kind: 'assignment', pointsPossible: 10_000 })).toBe(600);
    expect(estimateEffortMinutes({ kind: 'quiz', pointsPossible: 10 })).toBe(60);
    expect(estimateEffortMinutes({ kind: 'exam' })).toBe(240);
    expect(estimateEffortMinutes({ kind: 'discussion', pointsPossible: 5 })).toBe(30);
    expect(estimateEffortMinutes({ kind: 'event' })).toBe(0);
    for (const kind of ['assignment', 'quiz', 'exam', 'discussion', 'project', 'reading'] as const) {
      for (const points of [0, 7, 33, 250])
        expect(estimateEffortMinutes({ kind, pointsPossible: points }) % 15).toBe(0);
    }
  });
});

describe('PlannerPreferencesSchema', () => {
  it('gives a student sensible defaults from {}', () => {
    expect(DEFAULT_PREFERENCES).toMatchObject({
      timeZone: 'UTC',
      dailyCapMinutes: 240,
      minSessionMinutes: 30,
      maxSessionMinutes: 120,
      bufferMinutes: 15,
      finishByLeadMinutes: 720,
      horizonDays: 28,
      slotMinutes: 15,
    });
    expect(DEFAULT_PREFERENCES.studyWindows.mon).toEqual([{ start: '16:00', end: '22:00' }]);
    expect(DEFAULT_PREFERENCES.studyWindows.sat).toEqual([{ start: '10:00', end: '18:00' }]);
  });

  it('rejects what the planner cannot honour', () => {
    expect(PlannerPreferencesSchema.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(PlannerPreferencesSchema.safeParse({ minSessionMinutes: 90, maxSessionMinutes: 60 }).success).toBe(
      false,
    );
    expect(PlannerPreferencesSchema.safeParse({ minSessionMinutes: 40 }).success).toBe(false);
    expect(
      PlannerPreferencesSchema.safeParse({ studyWindows: { mon: [{ start: '22:00', end: '16:00' }] } })
        .success,
    ).toBe(false);
    expect(
      PlannerPreferencesSchema.safeParse({ studyWindows: { sun: [{ start: '20:00', end: '24:00' }] } })
        .success,
    ).toBe(true);
  });
});
