import { z } from 'zod';
import { PLANNER_LIMITS, tooMany } from './planner-limits.ts';
import { PlannerPreferencesSchema } from './preferences.ts';

/** An instant with an explicit offset ("Z" or "+05:30"); the planner works in UTC. */
const InstantSchema = z.iso.datetime({ offset: true });

export const ItemKindSchema = z.enum([
  'assignment',
  'quiz',
  'exam',
  'discussion',
  'project',
  'reading',
  'event',
]);
export type ItemKind = z.infer<typeof ItemKindSchema>;

export const DeadlineSchema = z.object({
  id: z.string().min(1),
  course: z.string().default(''),
  title: z.string().optional(),
  dueAt: InstantSchema,
  /** The user's own estimate; when absent it is estimated from kind and points. */
  effortMinutes: z
    .number()
    .int()
    .min(0)
    .max(200 * 60)
    .optional(),
  kind: ItemKindSchema.default('assignment'),
  pointsPossible: z.number().min(0).nullable().optional(),
  /** 1 (low) .. 5 (high). */
  priority: z.number().int().min(1).max(5).default(3),
  earliestStartAt: InstantSchema.optional(),
  doneMinutes: z.number().int().min(0).default(0),
});
export type Deadline = z.output<typeof DeadlineSchema>;

/** Busy time from free/busy; `unknown` (a calendar we could not read) counts as busy. */
export const BusyIntervalSchema = z
  .object({ start: InstantSchema, end: InstantSchema, status: z.enum(['busy', 'unknown']).default('busy') })
  .refine((b) => Date.parse(b.end) > Date.parse(b.start), { message: 'end must be after start' });

const sessionShape = { deadlineId: z.string().min(1), start: InstantSchema, end: InstantSchema };
const endsAfterStart = (s: { start: string; end: string }) => Date.parse(s.end) > Date.parse(s.start);

/** A study session as the user sees it on the calendar. */
export const SessionRefSchema = z
  .object(sessionShape)
  .refine(endsAfterStart, { message: 'end must be after start' });
export type SessionRef = z.output<typeof SessionRefSchema>;

/** A session of an earlier plan (`PlanResult.sessions`), for `planStudySessions(…, { previous })`. */
export const PlannedSessionSchema = z
  .object({ ...sessionShape, pinned: z.boolean().default(false) })
  .refine(endsAfterStart, { message: 'end must be after start' });

export const PlannerInputSchema = z
  .object({
    /** Planning starts here; passed in so the planner never reads the clock. */
    now: InstantSchema,
    preferences: PlannerPreferencesSchema.prefault({}),
    deadlines: z
      .array(DeadlineSchema)
      .max(PLANNER_LIMITS.deadlines, tooMany('deadlines', PLANNER_LIMITS.deadlines)),
    busy: z
      .array(BusyIntervalSchema)
      .max(PLANNER_LIMITS.busyIntervals, tooMany('busy intervals', PLANNER_LIMITS.busyIntervals))
      .default([]),
    /** Sessions the user moved by hand: kept exactly, counted as study done for their deadline. */
    pinned: z
      .array(SessionRefSchema)
      .max(PLANNER_LIMITS.pinnedSessions, tooMany('pinned sessions', PLANNER_LIMITS.pinnedSessions))
      .default([]),
    /** Sessions the user deleted by hand: their time is never planned again. */
    dropped: z
      .array(SessionRefSchema)
      .max(PLANNER_LIMITS.droppedSessions, tooMany('dropped sessions', PLANNER_LIMITS.droppedSessions))
      .default([]),
  })
  .refine((i) => new Set(i.deadlines.map((d) => d.id)).size === i.deadlines.length, {
    message: 'deadline ids must be unique',
    path: ['deadlines'],
  });

/** Parsed input (defaults applied); parse raw JSON with `PlannerInputSchema.parse`. */
export type PlannerInput = z.output<typeof PlannerInputSchema>;
/** What a caller may send before defaults are applied. */
export type PlannerInputData = z.input<typeof PlannerInputSchema>;
