import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';

/** An instant in the student's zone with its offset, to the minute: "2026-12-03T09:00-05:00". */
export function localTime(utc: string | Date, timeZone: string): string {
  const iso = typeof utc === 'string' ? utc : utc.toISOString();
  return Temporal.Instant.from(iso)
    .toZonedDateTimeISO(timeZone)
    .toString({ timeZoneName: 'never', smallestUnit: 'minute' });
}

/** For the text summaries people read: "Thu, Dec 3, 9:00 AM". */
export function spokenTime(utc: string | Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(typeof utc === 'string' ? new Date(utc) : utc);
}

/** A range in UTC with the student's local times beside it. */
export const LocalRangeSchema = z.object({
  start: z.string().describe('UTC instant, e.g. 2026-12-03T14:00:00.000Z'),
  end: z.string().describe('UTC instant'),
  startLocal: z.string().describe("The same instant in the student's time zone, with its offset"),
  endLocal: z.string(),
});

export function withLocal<T extends { start: string; end: string }>(range: T, timeZone: string) {
  return { ...range, startLocal: localTime(range.start, timeZone), endLocal: localTime(range.end, timeZone) };
}

/**
 * A tool argument that must be an instant with an offset: "2026-12-03T09:00:00-05:00" or
 * "…Z". A local time without an offset is refused rather than guessed.
 */
export function instantArgument(field: string, example: string) {
  return z.iso
    .datetime({
      offset: true,
      message: `${field} must be an ISO 8601 date-time with an offset, e.g. ${example}; a time without an offset (Z or ±hh:mm) is ambiguous`,
    })
    .describe(`An ISO 8601 instant with an offset, e.g. "${example}" or "2026-12-03T14:00:00Z".`);
}
