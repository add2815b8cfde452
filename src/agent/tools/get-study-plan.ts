import { z } from 'zod';
import { badRequest } from '../../errors.ts';
import { previewStudyPlan } from '../../study-plan/plan-preview.ts';
import type { AgentDeps } from '../agent-deps.ts';
import { defineTool } from '../agent-tool.ts';
import { instantArgument, localTime, spokenTime } from '../local-time.ts';
import {
  overlapsWindow,
  presentSession,
  SessionSchema,
  ShortfallSchema,
  shortfallsOf,
} from './plan-output.ts';

/** Sessions shown when no `to` is given: a week reads well; the plan itself covers the horizon. */
const SHOWN_DAYS = 7;

const input = z.strictObject({
  from: instantArgument('from', '2026-12-07T00:00:00-05:00')
    .optional()
    .describe(
      'Show sessions from here (default: now), an instant with an offset, e.g. "2026-12-07T00:00:00-05:00".',
    ),
  to: instantArgument('to', '2026-12-14T00:00:00-05:00')
    .optional()
    .describe(`Show sessions up to here (default: ${SHOWN_DAYS} days after from).`),
});

const output = z.object({
  planId: z.string().describe('Pass to reschedule_conflicts as proposalId to re-plan this plan later'),
  timeZone: z.string(),
  plannedAt: z.string(),
  horizonEnd: z.string(),
  onCalendar: z
    .boolean()
    .describe('False: this plan is a preview; CanvasCal does not write it to Google yet'),
  sessions: z.array(SessionSchema),
  deadlines: z.array(
    z.object({
      deadlineId: z.string(),
      title: z.string(),
      course: z.string(),
      finishBy: z.string(),
      finishByLocal: z.string(),
      requiredMinutes: z.number(),
      plannedMinutes: z.number(),
      effortMinutes: z.number(),
      effortEstimated: z.boolean(),
      status: z.enum(['planned', 'shortfall']),
    }),
  ),
  shortfalls: z.array(ShortfallSchema),
  totals: z.object({ requiredMinutes: z.number(), plannedMinutes: z.number() }),
  notes: z.array(z.string()),
});

export function getStudyPlanTool(
  deps: Pick<AgentDeps, 'users' | 'deadlines' | 'plannerBusy' | 'planner' | 'proposals' | 'now'>,
) {
  return defineTool({
    name: 'get_study_plan',
    title: 'Get study plan',
    description:
      'Plans study sessions for the student\'s open Canvas deadlines, from now over the planning horizon (planner settings), in free time inside their study hours, with spacing, a daily cap and buffers; busy and unknown time is never used. Says per deadline how many minutes could not be placed (shortfalls) and why. The plan is a preview: CanvasCal does not put it on the calendar yet. from/to only choose which sessions are shown (default: the next 7 days); the plan is always made from now over the whole horizon. Returns a planId for reschedule_conflicts. Example question: "How should I study this week?" → {"to":"2026-12-14T00:00:00-05:00"}.',
    input,
    output,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    async run(userId, args) {
      const from = args.from ? new Date(args.from) : undefined;
      const to = args.to ? new Date(args.to) : undefined;
      if (from && to && to <= from) throw badRequest('to must be after from.', 'invalid_range');
      const now = deps.now();
      const plan = await previewStudyPlan(
        { users: deps.users, deadlines: deps.deadlines, busy: deps.plannerBusy, solve: deps.planner },
        userId,
        { now },
      );
      const stored = await deps.proposals.save(userId, plan.sessions);
      const tz = plan.timeZone;
      const shownFrom = from ?? now;
      const shownTo = to ?? new Date(shownFrom.getTime() + SHOWN_DAYS * 86_400_000);
      const sessions = plan.sessions
        .filter((s) => overlapsWindow(s, shownFrom, shownTo))
        .map((s) => presentSession(s, plan));
      const shortfalls = shortfallsOf(plan);
      const data = {
        planId: stored.id,
        timeZone: tz,
        plannedAt: now.toISOString(),
        horizonEnd: plan.horizonEnd,
        onCalendar: false,
        sessions,
        deadlines: plan.deadlines.map((d) => ({
          deadlineId: d.deadlineId,
          title: d.title,
          course: d.course,
          finishBy: d.finishBy,
          finishByLocal: localTime(d.finishBy, tz),
          requiredMinutes: d.requiredMinutes,
          plannedMinutes: d.plannedMinutes,
          effortMinutes: d.effortMinutes,
          effortEstimated: d.effortEstimated,
          status: d.status,
        })),
        shortfalls,
        totals: { requiredMinutes: plan.totals.requiredMinutes, plannedMinutes: plan.totals.plannedMinutes },
        notes: plan.notes,
      };
      const summary = [
        `${sessions.length} study session(s) shown for ${plan.deadlines.length} open deadline(s); ${plan.totals.plannedMinutes} of ${plan.totals.requiredMinutes} minutes planned (${tz}).`,
        sessions[0] ? `First: ${sessions[0].title} at ${spokenTime(sessions[0].start, tz)}.` : '',
        shortfalls.length > 0
          ? `Short: ${shortfalls.map((s) => `${s.title} (${s.minutes} min)`).join(', ')}.`
          : '',
        'This is a preview, not on the calendar.',
        ...plan.notes,
      ]
        .filter(Boolean)
        .join(' ');
      return { summary, data };
    },
  });
}
