import type { z } from 'zod';
import type { DeadlinesRepo } from '../db/deadlines-repo.ts';
import type { UsersRepo } from '../db/users-repo.ts';
import { badRequest } from '../errors.ts';
import {
  type BusyIntervalSchema,
  type DayLoad,
  type DeadlinePlan,
  type ItemKind,
  PLANNER_LIMITS,
  type PlanChanges,
  type PlannedSession,
  type PlannerInputData,
  PlannerPreferencesSchema,
  type PlanTotals,
} from '../planner/index.ts';
import type { PlanSolver } from './solve-plan.ts';
import { boundStoredBusy, boundStoredDeadlines } from './stored-input-bounds.ts';

/**
 * The user's busy time in a range (the aggregated busy map once calendars are followed),
 * and notes saying what could not be seen and how to fix it.
 */
export type BusySource = (
  userId: string,
  from: Date,
  to: Date,
) => Promise<{ busy: Array<z.input<typeof BusyIntervalSchema>>; notes: string[] }>;

export interface PlanPreviewDeps {
  users: Pick<UsersRepo, 'getPlannerPreferences'>;
  deadlines: Pick<DeadlinesRepo, 'list'>;
  busy: BusySource;
  /** Runs the solver off the request thread (the planner pool). */
  solve: PlanSolver;
}

/** What the caller supplies instead of the stored data (the preview API's body). */
export interface ExplicitPlanInput {
  deadlines: unknown[];
  busy?: unknown[] | undefined;
  pinned?: unknown[] | undefined;
  dropped?: unknown[] | undefined;
  preferences?: Record<string, unknown> | undefined;
}

export interface PlanPreviewRequest {
  /** Planning starts here. */
  now: Date;
  /** Plan from this input alone; left out, from the stored Canvas deadlines and busy time. */
  explicit?: ExplicitPlanInput | undefined;
  /** The plan the student follows now: sessions that still fit stay where they are. */
  previous?: readonly PlannedSession[] | undefined;
  /** With stored data: sessions the student placed by hand (kept, counted as study). */
  pinned?: ReadonlyArray<{ deadlineId: string; start: string; end: string }> | undefined;
  /** With stored data: sessions the student deleted (their time is never planned again). */
  dropped?: ReadonlyArray<{ deadlineId: string; start: string; end: string }> | undefined;
}

export interface StudyPlanPreview {
  sessions: PlannedSession[];
  deadlines: Array<DeadlinePlan & { title: string; course: string }>;
  days: DayLoad[];
  totals: PlanTotals;
  timeZone: string;
  /** What the plan could not see (time counted as unknown, so never planned) and what to do. */
  notes: string[];
  /** How this plan differs from `previous` (nothing removed when there was none). */
  changes: PlanChanges;
  /** The busy and unknown time the plan avoided (UTC); empty for explicit input (the caller sent it). */
  busy: Array<{ start: string; end: string; status: 'busy' | 'unknown' }>;
  /** The end of the planning horizon (now + horizonDays) for stored data; busy time was read up to it. */
  horizonEnd: string;
}

const KIND_FOR: Record<string, ItemKind> = {
  assignment: 'assignment',
  quiz: 'quiz',
  discussion: 'discussion',
  calendar_event: 'event',
  syllabus: 'exam',
};

/**
 * One planner run for a user: the preview API and the LLM tools (`get_study_plan`,
 * `reschedule_conflicts`) both call this, so they plan from the same deadlines, busy time and
 * preferences. Rejects invalid explicit input with a 400 AppError naming the field.
 */
export async function previewStudyPlan(
  deps: PlanPreviewDeps,
  userId: string,
  request: PlanPreviewRequest,
): Promise<StudyPlanPreview> {
  const stored = PlannerPreferencesSchema.parse(await deps.users.getPlannerPreferences(userId));
  const start = request.now;
  const horizonEnd = new Date(start.getTime() + stored.horizonDays * 86_400_000);
  let input: PlannerInputData;
  let notes: string[] = [];
  if (request.explicit) {
    input = {
      ...request.explicit,
      now: start.toISOString(),
      preferences: { ...stored, ...request.explicit.preferences },
      deadlines: request.explicit.deadlines,
    } as PlannerInputData;
  } else {
    const due = (await deps.deadlines.list(userId, { from: start, to: horizonEnd })).filter(
      (d) => !d.submitted && d.dueAt,
    );
    const seen = await deps.busy(userId, start, horizonEnd);
    // Stored data is the student's own, so it is trimmed to the limits (and said so), not refused.
    const deadlines = boundStoredDeadlines(due, PLANNER_LIMITS.deadlines);
    const busy = boundStoredBusy(seen.busy, PLANNER_LIMITS.busyIntervals, horizonEnd);
    notes = [...seen.notes, ...deadlines.notes, ...busy.notes];
    input = {
      now: start.toISOString(),
      preferences: stored,
      deadlines: deadlines.kept.map((d) => ({
        id: d.sourceKey,
        course: d.courseName ?? '',
        title: d.title,
        dueAt: d.dueAt?.toISOString() ?? start.toISOString(),
        kind: KIND_FOR[d.kind] ?? 'assignment',
        pointsPossible: d.pointsPossible,
        ...(d.effortMinutes !== null ? { effortMinutes: d.effortMinutes } : {}),
      })),
      busy: busy.kept,
      pinned: [...(request.pinned ?? [])],
      dropped: [...(request.dropped ?? [])],
    };
  }
  const outcome = await deps.solve({
    input,
    previous: request.previous,
    echoBusy: request.explicit === undefined,
    userId,
  });
  if (!outcome.ok) throw badRequest(outcome.message, 'validation_failed');
  const { result, labels } = outcome;
  return {
    sessions: [...result.sessions],
    // Ids are for programs; people read the title and the course.
    deadlines: result.deadlines.map((d) => ({
      ...d,
      title: labels[d.deadlineId]?.title ?? d.deadlineId,
      course: labels[d.deadlineId]?.course ?? '',
    })),
    days: [...result.days],
    totals: result.totals,
    timeZone: outcome.timeZone,
    notes,
    changes: result.changes,
    busy: [...outcome.busy],
    horizonEnd: horizonEnd.toISOString(),
  };
}
