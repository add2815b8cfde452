import { Temporal } from 'temporal-polyfill';

/** A Google event's start or end as it arrives: `dateTime` with an offset, or an all-day `date`. */
export interface GoogleDateTime {
  date?: string | null;
  dateTime?: string | null;
  timeZone?: string | null;
}

/**
 * Converts a Google start/end to a UTC instant. A `dateTime` carries its own offset; an
 * all-day `date` is midnight in the calendar's time zone (so a day that contains a DST
 * change is 23 or 25 hours long, as it is for the person living it).
 */
export function toUtc(value: GoogleDateTime | null | undefined, calendarTimeZone: string): Date | null {
  if (!value) return null;
  if (value.dateTime) return new Date(Temporal.Instant.from(value.dateTime).epochMilliseconds);
  if (value.date) {
    const zoned = Temporal.PlainDate.from(value.date).toZonedDateTime({ timeZone: calendarTimeZone });
    return new Date(zoned.epochMilliseconds);
  }
  return null;
}

export function isAllDay(value: GoogleDateTime | null | undefined): boolean {
  return Boolean(value?.date && !value.dateTime);
}
