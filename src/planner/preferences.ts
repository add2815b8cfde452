import { z } from 'zod';
import { isTimeZone } from '../time-zone.ts';
import { PLANNER_LIMITS } from './planner-limits.ts';

/** ISO weekday order (Temporal's dayOfWeek 1..7 maps to index 0..6). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const LocalTimeSchema = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected HH:MM (24 h, 24:00 allowed as an end)');

/** Minutes after local midnight; "24:00" is 1440 so a window may end at midnight. */
export function minutesOfDay(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

/** A study window in local wall-clock time on one weekday; it may not cross midnight. */
export const StudyWindowSchema = z
  .object({ start: LocalTimeSchema, end: LocalTimeSchema })
  .refine((w) => minutesOfDay(w.end) > minutesOfDay(w.start), { message: 'end must be after start' });
export type StudyWindow = z.infer<typeof StudyWindowSchema>;

/** A whole number of minutes in [min, max], refused in words a student can act on. */
const minutesBetween = (min: number, max: number, maxInWords = '') => {
  const range = `a whole number of minutes from ${min} to ${max}${maxInWords ? ` ${maxInWords}` : ''}`;
  return z
    .number({ error: `expected ${range}` })
    .int(`expected ${range}`)
    .min(min, `at least ${min} minutes`)
    .max(max, `at most ${max} minutes${maxInWords ? ` ${maxInWords}` : ''}`);
};

const weekdays = (hours: StudyWindow[]) => z.array(StudyWindowSchema).max(8).default(hours);

const evening: StudyWindow[] = [{ start: '16:00', end: '22:00' }];

/**
 * A student's planning preferences. Every field has a default a student would accept
 * on day one, so `{}` parses; the refinements reject combinations the solver cannot honour.
 */
// Strict: a misspelt field ("monday" for "mon") is an error, not a silent no-op.
export const PlannerPreferencesSchema = z
  .strictObject({
    timeZone: z.string().refine(isTimeZone, { message: 'unknown IANA time zone' }).default('UTC'),
    studyWindows: z
      .strictObject({
        mon: weekdays(evening),
        tue: weekdays(evening),
        wed: weekdays(evening),
        thu: weekdays(evening),
        fri: weekdays(evening),
        sat: weekdays([{ start: '10:00', end: '18:00' }]),
        sun: weekdays([{ start: '13:00', end: '19:00' }]),
      })
      .prefault({}),
    /** Most study per local day, pinned sessions included. */
    dailyCapMinutes: minutesBetween(0, 1440, '(a whole day)').default(240),
    minSessionMinutes: minutesBetween(5, 480).default(30),
    maxSessionMinutes: minutesBetween(5, 600).default(120),
    /** Kept free on both sides of every busy interval (travel, a breather). */
    bufferMinutes: minutesBetween(0, 240).default(15),
    /** Study for a deadline ends this long before it is due (finish-by time). */
    finishByLeadMinutes: minutesBetween(0, 14 * 1440, '(14 days)').default(12 * 60),
    horizonDays: z
      .number()
      .int()
      .min(1)
      .max(
        PLANNER_LIMITS.horizonDays,
        `at most ${PLANNER_LIMITS.horizonDays} days ahead (the planner's limit)`,
      )
      .default(28),
    /** Grid every session starts and ends on; it must divide an hour. */
    slotMinutes: z
      .union([z.literal(5), z.literal(10), z.literal(15), z.literal(20), z.literal(30), z.literal(60)])
      .default(15),
    /**
     * Keep the plan on the student's calendar ("CanvasCal Study") and repair it as their day
     * changes. Off until the student turns it on; the planner itself ignores it.
     */
    autoPlan: z.boolean().default(false),
  })
  .refine((p) => p.minSessionMinutes <= p.maxSessionMinutes, {
    message:
      'the shortest session (minSessionMinutes) must not be longer than the longest (maxSessionMinutes)',
    path: ['minSessionMinutes'],
  })
  // Sessions start and end on the slot grid, so their bounds must sit on it too.
  .refine((p) => p.minSessionMinutes % p.slotMinutes === 0 && p.maxSessionMinutes % p.slotMinutes === 0, {
    message:
      'session lengths must be multiples of slotMinutes (the grid sessions start on: 15 minutes unless you changed it)',
    path: ['minSessionMinutes'],
  });

export type PlannerPreferences = z.output<typeof PlannerPreferencesSchema>;

/** The defaults, as parsed from `{}`. */
export const DEFAULT_PREFERENCES: PlannerPreferences = Object.freeze(PlannerPreferencesSchema.parse({}));
