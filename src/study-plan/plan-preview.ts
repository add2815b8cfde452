import type { z } from 'zod';
import type { DeadlinesRepo } from '../db/deadlines-repo.ts';
import type { UsersRepo } from '../db/users-repo.ts';
import { badRequest } from '../errors.ts';
import {
  type BusyIntervalSchema,
  type DayLoad,
  type DeadlinePlan,
  type ItemKind,
  type PlanChanges,
  type PlannedSession,
  type PlannerInputData,
  PlannerInputSchema,
  PlannerPreferencesSchema,
  type PlanTotals,
  planStudySessions,
} from '../planner/index.ts';

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
  /** The busy and unknown time the plan avoided (UTC). */
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
    notes = seen.notes;
    input = {
      now: start.toISOString(),
      preferences: stored,
      deadlines: due.map((d) => ({
        id: d.sourceKey,
        course: d.courseName ?? '',
        title: d.title,
        dueAt: d.dueAt?.toISOString() ?? start.toISOString(),
        kind: KIND_FOR[d.kind] ?? 'assignment',
        pointsPossible: d.pointsPossible,
        ...(d.effortMinutes !== null ? { effortMinutes: d.effortMinutes } : {}),
      })),
      busy: seen.busy,
      pinned: [...(request.pinned ?? [])],
      dropped: [...(request.dropped ?? [])],
    };
  }
  const parsed = PlannerInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badRequest(
      `Invalid planner input: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
      'validation_failed',
    );
  }
  const result = planStudySessions(
    parsed.data,
    request.previous !== undefined ? { previous: request.previous } : {},
  );
  const byId = new Map(parsed.data.deadlines.map((d) => [d.id, d]));
  return {
    sessions: [...result.sessions],
    // Ids are for programs; people read the title and the course.
    deadlines: result.deadlines.map((d) => {
      const input = byId.get(d.deadlineId);
      return { ...d, title: input?.title ?? d.deadlineId, course: input?.course ?? '' };
    }),
    days: [...result.days],
    totals: result.totals,
    timeZone: parsed.data.preferences.timeZone,
    notes,
    changes: result.changes,
    busy: parsed.data.busy.map((b) => ({ start: b.start, end: b.end, status: b.status })),
    horizonEnd: horizonEnd.toISOString(),
  };
}
