import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { previewStudyPlan } from '../../src/study-plan/plan-preview.ts';
import { migratedPglite } from '../support/pglite.ts';
import { startStudyPlanHarness } from '../support/study-plan-harness.ts';
import { DEADLINES, NOW } from './study-plan.suite.ts';

const BUFFER_MS = 15 * 60_000; // the default bufferMinutes
const QUARTER = 15 * 60_000;

// Meetings on the slot grid, inside the planning days (now .. now + 9 days).
const meetingArb = fc.record({
  startQuarter: fc.integer({ min: 0, max: 9 * 96 - 1 }),
  quarters: fc.integer({ min: 1, max: 12 }),
});

const overlapsPadded = (s: { start: string; end: string }, m: { start: number; end: number }) =>
  Date.parse(s.start) < m.end + BUFFER_MS && m.start - BUFFER_MS < Date.parse(s.end);

describe('repair after random busy-time changes (Google emulator, PGlite)', () => {
  it('moves only sessions that now conflict (or that the bound forces), and the calendar equals the plan', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(meetingArb, { minLength: 1, maxLength: 4 }), async (meetingSpecs) => {
        const db = await migratedPglite();
        const h = await startStudyPlanHarness(db, NOW);
        try {
          await h.setDeadlines(DEADLINES);
          await h.setPreferences({ autoPlan: true });
          await h.repair('settings');
          const before = await h.plans.listSessions(h.userId);
          const meetings = meetingSpecs.map(({ startQuarter, quarters }) => {
            const start = NOW.getTime() + startQuarter * QUARTER;
            return { start, end: start + quarters * QUARTER };
          });
          for (const m of meetings)
            h.google.userInsertEvent(h.primaryId, {
              summary: 'Meeting',
              start: { dateTime: new Date(m.start).toISOString() },
              end: { dateTime: new Date(m.end).toISOString() },
            });
          // What the planner makes of the same input, from the sessions on the calendar.
          const expected = await previewStudyPlan(h.deps, h.userId, {
            now: NOW,
            previous: before.map((r) => ({
              deadlineId: r.deadlineKey,
              start: r.start.toISOString(),
              end: r.end.toISOString(),
              pinned: false,
            })),
          });
          const repair = await h.repair('calendar-follow');
          const events = await h.studyEvents();
          const key = (s: { deadlineId?: string | undefined; start: string; end: string }) =>
            `${s.deadlineId}|${Date.parse(s.start)}|${Date.parse(s.end)}`;
          // The calendar equals the plan exactly.
          expect(events.map(key).sort()).toEqual(expected.sessions.map(key).sort());
          // Only what conflicts moved, or what the EDF bound forced (reported as rebalanced).
          for (const { session, reason } of expected.changes.removed) {
            expect(['conflict', 'rebalanced']).toContain(reason);
            if (reason === 'conflict') expect(meetings.some((m) => overlapsPadded(session, m))).toBe(true);
          }
          const untouched = before.filter(
            (r) =>
              !meetings.some((m) =>
                overlapsPadded({ start: r.start.toISOString(), end: r.end.toISOString() }, m),
              ),
          );
          const rebalanced = expected.changes.removed.filter((r) => r.reason === 'rebalanced').length;
          const stillThere = new Set(events.map((e) => e.id));
          const lost = untouched.filter((r) => !stillThere.has(r.googleEventId)).length;
          expect(lost).toBeLessThanOrEqual(rebalanced);
          // One call per change: each removed session is one patch or delete, each added one a patch or insert.
          expect(repair.moved + repair.added + repair.removed).toBeLessThanOrEqual(
            expected.changes.removed.length + expected.changes.added.length,
          );
          expect(repair.batches).toBeLessThanOrEqual(1);
        } finally {
          await h.close();
          await db.close();
        }
      }),
      { numRuns: 8 },
    );
  }, 240_000);
});
