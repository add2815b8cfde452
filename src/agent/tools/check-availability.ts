import { z } from 'zod';
import { queryAvailability } from '../../google/availability-query.ts';
import { FREE_BUSY_NOT_GRANTED_REASON } from '../../google/user-busy.ts';
import type { AgentDeps } from '../agent-deps.ts';
import { defineTool } from '../agent-tool.ts';
import { instantArgument, LocalRangeSchema, localTime, spokenTime, withLocal } from '../local-time.ts';

/** The longest range one call may ask about: a month of intervals is as much as a model reads well. */
export const AVAILABILITY_MAX_DAYS = 31;

const FIXES: Record<string, string> = {
  [FREE_BUSY_NOT_GRANTED_REASON]:
    'Reconnect Google and allow CanvasCal to see free/busy time on your calendars (scope calendar.events.freebusy).',
  notInCalendarList:
    'This calendar is no longer in your Google calendar list: choose the counted calendars again (PUT /api/v1/settings/calendars), or add it back in Google.',
};
const fixFor = (reason: string) =>
  FIXES[reason] ??
  `Google could not answer for this calendar (${reason}); check that it still exists and is shared with you, then ask again.`;

const input = z.strictObject({
  from: instantArgument('from', '2026-12-03T08:00:00-05:00'),
  to: instantArgument('to', '2026-12-03T20:00:00-05:00'),
  minMinutes: z
    .number()
    .int()
    .min(1)
    .max(1440)
    .default(30)
    .describe('Shortest free gap worth listing, in minutes (default 30), e.g. 60.'),
  includeStudyBlocks: z
    .boolean()
    .default(false)
    .describe("Count CanvasCal's own study blocks as busy (default false: they can be moved)."),
});

const output = z.object({
  timeZone: z.string().describe("The student's time zone (planner settings)"),
  from: z.string(),
  to: z.string(),
  busy: z.array(LocalRangeSchema),
  free: z.array(LocalRangeSchema.extend({ minutes: z.number() })),
  unknown: z.array(
    LocalRangeSchema.extend({
      calendarIds: z.array(z.string()),
      reason: z.string(),
      fix: z.string(),
    }),
  ),
  calendarsCounted: z.array(z.string()),
  unreadable: z.array(z.object({ calendarIds: z.array(z.string()), reason: z.string(), fix: z.string() })),
  notes: z.array(z.string()),
});

export function checkAvailabilityTool(deps: Pick<AgentDeps, 'users' | 'userBusy'>) {
  return defineTool({
    name: 'check_availability',
    title: 'Check availability',
    description: `When is the student busy or free? Answers from every Google calendar CanvasCal counts (the ones the student shows in Google, or the ones chosen in settings) for [from, to), at most ${AVAILABILITY_MAX_DAYS} days. Returns busy, free and unknown intervals in UTC with local times in the student's time zone beside them. "free" lists gaps of at least minMinutes inside the student's study hours (planner settings), not every empty minute. "unknown" is time CanvasCal could not see (a calendar it may not read, or one that failed): never treat it as free; each entry says which permission or setting would fix it. Example question: "When am I free on Thursday afternoon?" → {"from":"2026-12-03T12:00:00-05:00","to":"2026-12-03T18:00:00-05:00"}. Instants must carry an offset (Z or ±hh:mm).`,
    input,
    output,
    annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    async run(userId, args) {
      const answer = await queryAvailability({ users: deps.users, busy: deps.userBusy }, userId, {
        from: new Date(args.from),
        to: new Date(args.to),
        minMinutes: args.minMinutes,
        includeStudyBlocks: args.includeStudyBlocks,
        maxRangeDays: AVAILABILITY_MAX_DAYS,
      });
      const tz = answer.timeZone;
      const unknown = answer.unknown.map((u) => ({ ...withLocal(u, tz), fix: fixFor(u.reason) }));
      const unreadable = new Map<string, { calendarIds: string[]; reason: string; fix: string }>();
      for (const u of unknown) {
        const entry = unreadable.get(u.reason) ?? { calendarIds: [], reason: u.reason, fix: u.fix };
        for (const id of u.calendarIds) if (!entry.calendarIds.includes(id)) entry.calendarIds.push(id);
        unreadable.set(u.reason, entry);
      }
      const data = {
        timeZone: tz,
        from: new Date(args.from).toISOString(),
        to: new Date(args.to).toISOString(),
        busy: answer.busy.map((b) => withLocal(b, tz)),
        free: answer.free.map((f) => withLocal(f, tz)),
        unknown,
        calendarsCounted: answer.calendars,
        unreadable: [...unreadable.values()],
        notes: answer.notes,
      };
      const freeText =
        data.free.length === 0
          ? 'no free study time'
          : `free: ${data.free
              .slice(0, 5)
              .map(
                (f) => `${spokenTime(f.start, tz)}–${localTime(f.end, tz).slice(11, 16)} (${f.minutes} min)`,
              )
              .join('; ')}${data.free.length > 5 ? `; and ${data.free.length - 5} more` : ''}`;
      const summary = [
        `${spokenTime(data.from, tz)} to ${spokenTime(data.to, tz)} (${tz}): ${data.busy.length} busy interval(s), ${freeText}.`,
        data.unreadable.length > 0
          ? `Some time is unknown (never free): ${data.unreadable.map((u) => u.fix).join(' ')}`
          : '',
        `Counted ${data.calendarsCounted.length} calendar(s).`,
      ]
        .filter(Boolean)
        .join(' ');
      return { summary, data };
    },
  });
}
