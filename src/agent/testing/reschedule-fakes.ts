import type { DeadlineRecord } from '../../db/deadlines-repo.ts';
import type { SessionStatus, StoredSession } from '../../db/study-plan-repo.ts';
import type { PlannedSession } from '../../planner/index.ts';
import type { BusySource } from '../../study-plan/plan-preview.ts';
import { inThreadSolver } from '../../study-plan/solve-plan.ts';
import { createMemoryProposalStore } from '../proposal-store.ts';
import { type ApplyPlan, rescheduleConflictsTool } from '../tools/reschedule-conflicts.ts';

// reschedule_conflicts over fakes of its services at a fixed "now", each input settable, so a
// test can change one thing between a proposal and its apply.

export const NOW = new Date('2026-12-01T08:00:00Z');
export const essay: DeadlineRecord = {
  sourceKey: 'assignment:1:essay',
  kind: 'assignment',
  courseId: '1',
  courseName: 'Writing',
  title: 'Essay',
  dueAt: new Date('2026-12-05T23:59:00Z'),
  allDay: false,
  allDayDate: null,
  pointsPossible: 100,
  submitted: false,
  htmlUrl: null,
  effortMinutes: 240,
};

type Busy = Array<{ start: string; end: string; status: 'busy' | 'unknown' }>;

export function rescheduleWorld(
  options: { apply?: boolean; autoPlan?: boolean; calendar?: StoredSession[] } = {},
) {
  const writes: Array<{ userId: string; sessions: readonly PlannedSession[] }> = [];
  const applyPlan: ApplyPlan = async (userId, sessions) => {
    writes.push({ userId, sessions });
    return {
      outcome: 'written',
      studentEdits: { pinned: 0, dropped: 0 },
      moved: 0,
      added: sessions.length,
      removed: 0,
      unchanged: 0,
      googleCalls: 1,
      notes: [],
    };
  };
  let busy: Busy = [];
  let deadlines = [essay];
  let preferences: Record<string, unknown> = { autoPlan: options.autoPlan ?? true };
  let calendar = options.calendar;
  const plannerBusy: BusySource = async () => ({ busy, notes: [] });
  const proposals = createMemoryProposalStore({ now: () => NOW });
  const tool = rescheduleConflictsTool({
    users: { getPlannerPreferences: async () => preferences },
    deadlines: { list: async () => deadlines },
    plannerBusy,
    planner: inThreadSolver,
    proposals,
    now: () => NOW,
    ...(options.apply ? { applyPlan } : {}),
    ...(calendar
      ? {
          studyPlan: {
            getState: async () => ({ calendarId: 'study', syncToken: null, lastRepair: null }),
            listSessions: async () => calendar ?? [],
          },
        }
      : {}),
  });
  const run = (args: { proposalId?: string; apply?: boolean } = {}, userId = 'alice') =>
    tool.run(userId, { apply: false, ...args });
  return {
    run,
    proposals,
    writes,
    setBusy: (b: Busy) => (busy = b),
    setDeadlines: (d: DeadlineRecord[]) => (deadlines = d),
    setPreferences: (p: Record<string, unknown>) => (preferences = p),
    setCalendar: (rows: StoredSession[]) => (calendar = rows),
  };
}

/** A row of the study calendar, as the study-plan repo keeps it. */
export const studyRow = (
  s: { start: string; end: string },
  status: SessionStatus,
  n: number,
): StoredSession => ({
  id: `row-${n}`,
  deadlineKey: essay.sourceKey,
  slotKey: String(n),
  start: new Date(s.start),
  end: new Date(s.end),
  status,
  googleEventId: `event-${n}`,
  calendarId: 'study',
  googleEtag: null,
  fingerprint: null,
  titledByStudent: false,
});
