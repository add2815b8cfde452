import { z } from 'zod';

const EARLIEST = Date.parse('1970-01-01T00:00:00Z');
const LATEST = Date.parse('9000-01-01T00:00:00Z');

/**
 * An instant a route accepts: ISO 8601 with an offset, between 1970 and 9000. ISO allows
 * years 0000 to 9999, but the database refuses year 0 and the ranges built from a date near
 * 9999 run past what a timestamp can hold: both were 500s (found by the OpenAPI fuzz test).
 */
export function apiInstant(
  message = 'must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T09:00:00-05:00',
) {
  // `abort`: a value that is no date-time gets only the format's message, not also the range's
  // (which `Date.parse` of garbage, NaN, would fail too, naming the field twice).
  return z.iso
    .datetime({ offset: true, message, abort: true })
    .refine((value) => Date.parse(value) >= EARLIEST && Date.parse(value) < LATEST, {
      message: 'must be between 1970-01-01 and 9000-01-01',
    });
}
