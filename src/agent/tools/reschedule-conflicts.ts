import { z } from 'zod';
import { AppError, badRequest, notFound } from '../../errors.ts';
import type { PlannedSession } from '../../planner/index.ts';
import { readCalendarPlan } from '../../study-plan/calendar-plan.ts';
import { previewStudyPlan, type StudyPlanPreview } from '../../study-plan/plan-preview.ts';
import type { AgentDeps, ApplyPlan } from '../agent-deps.ts';
import { defineTool } from '../agent-tool.ts';
import { instantArgument, spokenTime } from '../local-time.ts';
import { previewOver, readPlanInputs } from '../plan-inputs.ts';
import { basisOf } from '../proposal-basis.ts';
import {
  overlapsWindow,
  presentSession,
  SessionSchema,
  ShortfallSchema,
  shortfallsOf,
} from './plan-output.ts';
import { staleReason } from './proposal-staleness.ts';

export type { ApplyOutcome, ApplyPlan } from '../agent-deps.ts';

export const APPLY_NOT_AVAILABLE =
  'Applying is not available yet: CanvasCal cannot write study sessions to your Google calendar until automatic planning on the calendar exists. Nothing was changed. Call reschedule_conflicts without apply to get the proposal, and tell the student which sessions to move by hand.';

export const AUTO_PLAN_OFF =
  'Automatic planning on the calendar is off, so CanvasCal keeps no study sessions there and nothing was changed. Ask the student to turn it on (PUT /api/v1/settings/planner with autoPlan: true), or tell them which sessions to move by hand.';

const GOOGLE_GONE =
  'Google was disconnected while the proposal was being applied, so nothing more was written; connect Google again, then ask for a fresh proposal.';

const input = z.strictObject({
  from: instantArgument('from', '2026-12-07T00:00:00-05:00')
    .optional()
    .describe('Look for conflicts from here (default: now), an instant with an offset.'),
  to: instantArgument('to', '2026-12-14T00:00:00-05:00')
    .optional()
    .describe('Look for conflicts up to here (default: the end of the plan).'),
  apply: z
    .boolean()
    .default(false)
    .describe(
      "true: write the proposal named by proposalId to the study calendar, only if nothing it was made from changed since: busy time, deadlines, settings, and the sessions on the study calendar with the student's pins and deletions (otherwise a fresh proposal comes back with the reason, and nothing is written).",
    ),
  proposalId: z
    .string()
    .uuid('proposalId must be an id returned by get_study_plan or reschedule_conflicts')
    .optional()
    .describe(
      'The plan to check: a planId from get_study_plan or a proposalId from an earlier call (default: the sessions on the study calendar when automatic planning is on, else the latest plan shown to the student).',
    ),
});

const Overlap = z.enum(['busy', 'unknown', 'buffer']);
const Checked = z.enum(['calendar', 'proposal', 'none']);

const output = z.object({
  proposalId: z.string().describe('This proposal; pass it as proposalId to re-check it later'),
  basedOn: z
    .string()
    .nullable()
    .describe('The plan or proposal that was checked (null: the study calendar was checked, or nothing)'),
  checked: Checked.describe(
    'What was checked: the sessions on the study calendar, a plan or proposal shown earlier, or none (a fresh plan)',
  ),
  timeZone: z.string(),
  applied: z.boolean().describe('Whether this call wrote the proposal to the calendar'),
  written: z
    .object({ moved: z.number(), added: z.number(), removed: z.number(), unchanged: z.number() })
    .optional()
    .describe('What applying changed on the study calendar (only when applied)'),
  conflicts: z.array(SessionSchema.extend({ overlaps: Overlap })),
  moves: z.object({
    remove: z.array(SessionSchema.extend({ reason: z.string() })),
    add: z.array(SessionSchema),
  }),
  keptCount: z.number().describe('Sessions of the checked plan that stay exactly where they were'),
  shortfalls: z.array(ShortfallSchema),
  notes: z.array(z.string()),
});

export function rescheduleConflictsTool(
  deps: Pick<
    AgentDeps,
    'users' | 'deadlines' | 'plannerBusy' | 'planner' | 'proposals' | 'now' | 'studyPlan'
  > & {
    /** Left out (no Google connection in this process): apply answers with an error. */
    applyPlan?: ApplyPlan | undefined;
  },
) {
  return defineTool({
    name: 'reschedule_conflicts',
    title: 'Reschedule conflicting study sessions',
    description:
      'Finds the study sessions on the student\'s "CanvasCal Study" calendar (or, with proposalId, of a plan from get_study_plan or an earlier proposal) that now overlap busy or unknown time, e.g. after a meeting moved onto study time, and proposes the fewest moves: the planner re-plans with the old plan as its starting point, so every session that still fits stays exactly where it is, sessions the student pinned and sessions already started are never moved, and minutes that no longer fit are reported as shortfalls. Returns a proposalId. With apply:true and a proposalId it writes exactly that proposal to the study calendar, but only if it still fits (re-planning from it against the current busy time, deadlines and settings moves nothing); otherwise it writes nothing and returns a fresh proposal with the reason, to show the student before applying that one. Example question: "A meeting just moved onto my study time, fix my week." → {} (or {"proposalId":"<planId from get_study_plan>"}).',
    input,
    output,
    // apply moves and deletes study events on the student's calendar (destructive); applying
    // the same proposal again finds the calendar already matching it and writes nothing.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
    async run(userId, args) {
      if (args.apply && !deps.applyPlan) throw new AppError('apply_not_available', APPLY_NOT_AVAILABLE, 409);
      if (args.apply && !args.proposalId)
        throw badRequest(
          'apply:true needs the proposalId of the proposal the student accepted (from reschedule_conflicts).',
          'proposal_required',
        );
      const from = args.from ? new Date(args.from) : undefined;
      const to = args.to ? new Date(args.to) : undefined;
      if (from && to && to <= from) throw badRequest('to must be after from.', 'invalid_range');
      const named = args.proposalId ? await deps.proposals.get(userId, args.proposalId) : undefined;
      if (args.proposalId && !named)
        throw notFound(
          `No plan or proposal ${args.proposalId} for you: proposalId must come from get_study_plan or reschedule_conflicts, and the newest 20 are kept for 24 hours. Call get_study_plan for a fresh plan.`,
          'unknown_proposal',
        );
      const now = deps.now();
      // With planning on the calendar, the student's sessions there (and their pins and drops)
      // are what a reschedule checks; a named plan is re-checked against those pins and drops.
      const look = async () => {
        const inputs = await readPlanInputs(deps, userId, now);
        const calendar =
          deps.studyPlan && inputs.preferences.autoPlan
            ? await readCalendarPlan(deps.studyPlan, userId, now, inputs.open)
            : undefined;
        return { inputs, calendar, basis: basisOf(inputs, calendar?.rows ?? []) };
      };
      let { inputs, calendar, basis } = await look();
      if (args.apply && !inputs.preferences.autoPlan)
        // With planning off the writer clears CanvasCal's future sessions: never as an "apply".
        throw new AppError('auto_plan_off', AUTO_PLAN_OFF, 409);
      let onCalendar = calendar?.calendarId ? calendar : undefined;
      // Sessions already under way or over are history: never moved, never re-planned.
      const futureOf = (sessions: readonly PlannedSession[]) =>
        sessions.filter((s) => Date.parse(s.start) >= now.getTime());
      const planFrom = (previous: readonly PlannedSession[] | undefined) =>
        previewStudyPlan(previewOver(inputs, deps.planner), userId, {
          now,
          ...(previous ? { previous } : {}),
          ...(calendar ? { pinned: calendar.pinned, dropped: calendar.dropped } : {}),
        });
      let stale: string | undefined;
      if (args.apply && deps.applyPlan && named) {
        const accepted = futureOf(named.sessions);
        const plan = await planFrom(accepted);
        const why = await staleReason({
          deps,
          userId,
          now,
          proposal: named,
          basis,
          calendar: onCalendar,
          plan,
        });
        if (!why) {
          // The student's pinned sessions are on the calendar already, and stay as they are.
          const record = await deps.applyPlan(
            userId,
            accepted.filter((s) => !s.pinned),
          );
          if (record.outcome === 'google-not-connected')
            throw new AppError('google_not_connected', GOOGLE_GONE, 409);
          if (record.outcome === 'planning-off') throw new AppError('auto_plan_off', AUTO_PLAN_OFF, 409);
          const written = {
            moved: record.moved,
            added: record.added,
            removed: record.removed,
            unchanged: record.unchanged,
          };
          if (record.outcome === 'written')
            return {
              summary: `Applied proposal ${named.id}: moved ${written.moved}, added ${written.added}, removed ${written.removed}, kept ${written.unchanged} study session(s) on the calendar.`,
              data: {
                proposalId: named.id,
                basedOn: named.id,
                checked: 'proposal' as const,
                timeZone: plan.timeZone,
                applied: true,
                written,
                conflicts: [],
                moves: { remove: [], add: [] },
                keptCount: plan.changes.keptCount,
                shortfalls: shortfallsOf(plan),
                notes: [...plan.notes, ...record.notes],
              },
            };
          // The writer met edits the student made in Google a moment ago (not yet followed when
          // the proposal was checked): it wrote nothing more, and the calendar is read again.
          const { pinned, dropped } = record.studentEdits;
          const partly = written.moved + written.added + written.removed > 0;
          stale = `The student just moved ${pinned} and deleted ${dropped} study session(s) in Google, so the proposal was ${partly ? 'only partly written' : 'not written'}; this is a fresh proposal from the sessions on the study calendar as they are now: show it to the student and apply it instead.`;
          ({ inputs, calendar, basis } = await look());
          onCalendar = calendar?.calendarId ? calendar : undefined;
        } else
          stale = `The proposal no longer fits (${why}), so nothing was written; this is a fresh proposal${onCalendar ? ' from the sessions on the study calendar' : ''}: show it to the student and apply it instead.`;
      }
      // What is checked: the named plan (a stale one only without a calendar to start from
      // instead), else the sessions on the study calendar, else the latest plan shown.
      const base =
        named && !(stale && onCalendar)
          ? named
          : onCalendar
            ? undefined
            : await deps.proposals.latest(userId);
      const checked: z.infer<typeof Checked> = base ? 'proposal' : onCalendar ? 'calendar' : 'none';
      const upcoming: PlannedSession[] = base ? futureOf(base.sessions) : (onCalendar?.sessions ?? []);
      const plan = await planFrom(checked === 'none' ? undefined : upcoming);
      const proposal = await deps.proposals.save(userId, plan.sessions, basis);
      const releasedForConflict = new Set(
        plan.changes.removed.filter((r) => r.reason === 'conflict').map((r) => keyOf(r.session)),
      );
      const conflicts = upcoming.flatMap((s) => {
        if (s.pinned || !overlapsWindow(s, from ?? now, to)) return [];
        const overlaps = overlapOf(s, plan, releasedForConflict);
        return overlaps ? [{ ...presentSession(s, plan), overlaps }] : [];
      });
      const remove = plan.changes.removed.map((r) => ({
        ...presentSession(r.session, plan),
        reason: r.reason,
      }));
      const add = checked === 'none' ? [] : plan.changes.added.map((s) => presentSession(s, plan));
      const shortfalls = shortfallsOf(plan);
      const notes = [
        ...(stale ? [stale] : []),
        ...(checked === 'none'
          ? [
              'There was no earlier plan to check, so this is a fresh plan; call reschedule_conflicts again after the calendar changes.',
            ]
          : []),
        ...plan.notes,
      ];
      const tz = plan.timeZone;
      const what = checked === 'calendar' ? 'on your study calendar' : `of plan ${base?.id}`;
      const summary = [
        checked === 'none'
          ? `No earlier plan to check; proposal ${proposal.id} is a fresh plan with ${plan.sessions.length} session(s).`
          : `${conflicts.length} session(s) ${what} now overlap busy or unknown time. Proposal ${proposal.id}: move ${remove.length}, add ${add.length}, keep ${plan.changes.keptCount}.`,
        ...conflicts
          .slice(0, 3)
          .map((c) => `${c.title} at ${spokenTime(c.start, tz)} overlaps ${c.overlaps} time.`),
        shortfalls.length > 0
          ? `Still short: ${shortfalls.map((s) => `${s.title} (${s.minutes} min)`).join(', ')}.`
          : '',
        stale ??
          'Nothing was written to the calendar; call again with apply:true and this proposalId to write it.',
      ]
        .filter(Boolean)
        .join(' ');
      return {
        summary,
        data: {
          proposalId: proposal.id,
          basedOn: base?.id ?? null,
          checked,
          timeZone: tz,
          applied: false,
          conflicts,
          moves: { remove, add },
          keptCount: plan.changes.keptCount,
          shortfalls,
          notes,
        },
      };
    },
  });
}

const keyOf = (s: PlannedSession) => `${s.deadlineId}|${s.start}|${s.end}`;

function overlapOf(
  session: PlannedSession,
  plan: StudyPlanPreview,
  releasedForConflict: Set<string>,
): z.infer<typeof Overlap> | undefined {
  const [start, end] = [Date.parse(session.start), Date.parse(session.end)];
  const hits = plan.busy.filter((b) => Date.parse(b.start) < end && Date.parse(b.end) > start);
  if (hits.some((b) => b.status === 'busy')) return 'busy';
  if (hits.length > 0) return 'unknown';
  return releasedForConflict.has(keyOf(session)) ? 'buffer' : undefined;
}
