import { z } from 'zod';
import { badRequest } from '../../errors.ts';
import { type AgentDeps, timeZoneOf } from '../agent-deps.ts';
import { defineTool } from '../agent-tool.ts';
import { instantArgument, localTime, spokenTime } from '../local-time.ts';

const DEFAULT_DAYS = 30;
const MAX_DAYS = 366;

const input = z.strictObject({
  from: instantArgument('from', '2026-12-01T00:00:00-05:00')
    .optional()
    .describe(
      'Start of the range (default: now), an instant with an offset, e.g. "2026-12-01T00:00:00-05:00".',
    ),
  to: instantArgument('to', '2026-12-14T23:59:00-05:00')
    .optional()
    .describe(
      `End of the range (default: ${DEFAULT_DAYS} days after from), at most ${MAX_DAYS} days after from.`,
    ),
  course: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Only courses whose name contains this text, case-insensitive, e.g. "Biology".'),
});

const Deadline = z.object({
  id: z.string().describe('Stable id of the Canvas item'),
  title: z.string(),
  course: z.string().nullable(),
  kind: z.string().describe('assignment, quiz, discussion, calendar_event or syllabus'),
  dueAt: z.string().nullable().describe('UTC instant'),
  dueLocal: z.string().nullable().describe("Due time in the student's time zone"),
  allDay: z.boolean(),
  pointsPossible: z.number().nullable(),
  submitted: z.boolean(),
  effortMinutes: z.number().nullable().describe("The student's own effort estimate, if set"),
  url: z.string().nullable(),
});

const output = z.object({
  timeZone: z.string(),
  from: z.string(),
  to: z.string(),
  deadlines: z.array(Deadline),
  undated: z.array(Deadline).describe('Items Canvas gives no due date for (not on the calendar)'),
});

export function listDeadlinesTool(deps: Pick<AgentDeps, 'users' | 'deadlines' | 'now'>) {
  return defineTool({
    name: 'list_deadlines',
    title: 'List deadlines',
    description: `The student's Canvas deadlines (assignments, quizzes, discussions, Canvas events, dates found in syllabi) as of the last Canvas sync, in [from, to) (default: the next ${DEFAULT_DAYS} days; at most ${MAX_DAYS} days), with due times in UTC and in the student's time zone, points and whether it was submitted. Filter by course name with "course". Run sync_now first if the student says Canvas changed. Example question: "What's due in Biology next week?" → {"course":"Biology","from":"2026-12-07T00:00:00-05:00","to":"2026-12-14T00:00:00-05:00"}.`,
    input,
    output,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    async run(userId, args) {
      const from = args.from ? new Date(args.from) : deps.now();
      const to = args.to ? new Date(args.to) : new Date(from.getTime() + DEFAULT_DAYS * 86_400_000);
      if (to <= from) throw badRequest('to must be after from.', 'invalid_range');
      if (to.getTime() - from.getTime() > MAX_DAYS * 86_400_000)
        throw badRequest(
          `Ask for at most ${MAX_DAYS} days at a time: move to closer to from.`,
          'invalid_range',
        );
      const tz = await timeZoneOf(deps, userId);
      const needle = args.course?.toLowerCase();
      const all = (await deps.deadlines.list(userId)).filter(
        (d) => !needle || (d.courseName ?? '').toLowerCase().includes(needle),
      );
      const present = (d: (typeof all)[number]) => ({
        id: d.sourceKey,
        title: d.title,
        course: d.courseName,
        kind: d.kind,
        dueAt: d.dueAt?.toISOString() ?? null,
        dueLocal: d.dueAt ? localTime(d.dueAt, tz) : null,
        allDay: d.allDay,
        pointsPossible: d.pointsPossible,
        submitted: d.submitted,
        effortMinutes: d.effortMinutes,
        url: d.htmlUrl,
      });
      const deadlines = all
        .filter((d) => d.dueAt && d.dueAt >= from && d.dueAt < to)
        .sort((a, b) => (a.dueAt?.getTime() ?? 0) - (b.dueAt?.getTime() ?? 0))
        .map(present);
      const undated = all.filter((d) => !d.dueAt).map(present);
      const open = deadlines.filter((d) => !d.submitted);
      const summary =
        deadlines.length === 0
          ? `Nothing due between ${spokenTime(from, tz)} and ${spokenTime(to, tz)}${args.course ? ` in courses matching "${args.course}"` : ''}.`
          : `${deadlines.length} deadline(s), ${open.length} not submitted, between ${spokenTime(from, tz)} and ${spokenTime(to, tz)} (${tz}). Next: ${open
              .slice(0, 3)
              .map(
                (d) =>
                  `${d.title} (${d.course ?? 'no course'}) due ${d.dueAt ? spokenTime(d.dueAt, tz) : '?'}`,
              )
              .join('; ')}.`;
      return {
        summary,
        data: { timeZone: tz, from: from.toISOString(), to: to.toISOString(), deadlines, undated },
      };
    },
  });
}
