import { Temporal } from 'temporal-polyfill';

/** The local dates a syllabus date may fall on, and "today", all in the course's time zone. */
export interface TermWindow {
  start: Temporal.PlainDate;
  end: Temporal.PlainDate;
  reference: Temporal.PlainDate;
}

/**
 * The term as local dates in `timeZone`. Term ends are Canvas instants or plain `YYYY-MM-DD`
 * dates. With no term the window is six months either side of the reference date; with one
 * end only, a year from (or to) it. Undefined when the zone, the reference or the term make no
 * window (an end before the start).
 */
export function termWindow(
  term: { startAt?: string | null; endAt?: string | null } | null | undefined,
  timeZone: string,
  reference: Date,
): TermWindow | undefined {
  let today: Temporal.PlainDate;
  try {
    today = Temporal.Instant.fromEpochMilliseconds(reference.getTime())
      .toZonedDateTimeISO(timeZone)
      .toPlainDate();
  } catch {
    return undefined;
  }
  const start = localDay(term?.startAt, timeZone);
  const end = localDay(term?.endAt, timeZone);
  const window =
    start && end
      ? { start, end }
      : start
        ? { start, end: start.add({ years: 1 }) }
        : end
          ? { start: end.subtract({ years: 1 }), end }
          : { start: today.subtract({ months: 6 }), end: today.add({ months: 6 }) };
  if (Temporal.PlainDate.compare(window.start, window.end) > 0) return undefined;
  return { ...window, reference: today };
}

/**
 * The date of a month and day inside the window, not before `notBefore`: with a written year
 * only that year; without one, the year that fits, the one nearest the reference if several do.
 */
export function dateInWindow(
  month: number,
  day: number,
  year: number | undefined,
  window: TermWindow,
  notBefore: Temporal.PlainDate = window.start,
): Temporal.PlainDate | undefined {
  const years =
    year !== undefined
      ? [year]
      : Array.from({ length: window.end.year - window.start.year + 1 }, (_, i) => window.start.year + i);
  const inside: Temporal.PlainDate[] = [];
  for (const y of years) {
    let date: Temporal.PlainDate;
    try {
      date = Temporal.PlainDate.from({ year: y, month, day }, { overflow: 'reject' });
    } catch {
      continue; // Feb 29 of a common year, or a day no month has
    }
    if (Temporal.PlainDate.compare(date, notBefore) >= 0 && Temporal.PlainDate.compare(date, window.end) <= 0)
      inside.push(date);
  }
  const distance = (d: Temporal.PlainDate) => Math.abs(d.since(window.reference).total({ unit: 'days' }));
  return inside.sort((a, b) => distance(a) - distance(b) || Temporal.PlainDate.compare(a, b))[0];
}

function localDay(value: string | null | undefined, timeZone: string): Temporal.PlainDate | undefined {
  if (!value) return undefined;
  try {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return Temporal.PlainDate.from(value);
    return Temporal.Instant.from(value).toZonedDateTimeISO(timeZone).toPlainDate();
  } catch {
    return undefined;
  }
}
