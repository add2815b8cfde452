import { z } from 'zod';
import type { PlannedSession } from '../../planner/index.ts';
import type { StudyPlanPreview } from '../../study-plan/plan-preview.ts';
import { LocalRangeSchema, withLocal } from '../local-time.ts';

/** A study session as the tools show it: whose it is, in UTC and local time. */
export const SessionSchema = LocalRangeSchema.extend({
  deadlineId: z.string(),
  title: z.string(),
  course: z.string(),
  pinned: z.boolean().describe('Placed by the student; never moved'),
});

export const ShortfallSchema = z.object({
  deadlineId: z.string(),
  title: z.string(),
  course: z.string(),
  minutes: z.number().describe('Study minutes that could not be placed before it is due'),
  reason: z.string(),
  message: z.string(),
});

export function presentSession(session: PlannedSession, plan: StudyPlanPreview) {
  const deadline = plan.deadlines.find((d) => d.deadlineId === session.deadlineId);
  return {
    ...withLocal({ start: session.start, end: session.end }, plan.timeZone),
    deadlineId: session.deadlineId,
    title: deadline?.title ?? session.deadlineId,
    course: deadline?.course ?? '',
    pinned: session.pinned,
  };
}

export function shortfallsOf(plan: StudyPlanPreview): Array<z.infer<typeof ShortfallSchema>> {
  return plan.deadlines.flatMap((d) =>
    d.shortfall
      ? [
          {
            deadlineId: d.deadlineId,
            title: d.title,
            course: d.course,
            minutes: d.shortfall.minutes,
            reason: d.shortfall.reason,
            message: d.shortfall.message,
          },
        ]
      : [],
  );
}

/** Whether [start, end) meets [from, to); either bound may be open. */
export function overlapsWindow(session: { start: string; end: string }, from?: Date, to?: Date): boolean {
  return (
    (!to || Date.parse(session.start) < to.getTime()) && (!from || Date.parse(session.end) > from.getTime())
  );
}
