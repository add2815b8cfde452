import * as chrono from 'chrono-node';
import { Temporal } from 'temporal-polyfill';
import type { SourceItem } from '../sync/source-item.ts';
import { dateInWindow, type TermWindow, termWindow } from './syllabus-term-window.ts';
import { type SyllabusBlock, syllabusBlocks } from './syllabus-text.ts';
import { clauses, HOLIDAY, kindOf, type SyllabusKind, titleOf } from './syllabus-titles.ts';

/** One dated thing a syllabus tells the student about, in the course's own calendar. */
export interface SyllabusDate {
  title: string;
  /** Local date in the course's time zone, `YYYY-MM-DD`. */
  date: string;
  /** Local wall-clock time `HH:MM`, only when the syllabus gives one. */
  time?: string;
  /** Last day of a range ("Spring break Mar 9–13"); the item itself sits on `date`. */
  endDate?: string;
  kind: SyllabusKind;
  /** The line or table row the date was read from, for the student to check. */
  sourceText: string;
}

export type { SyllabusKind };

export interface SyllabusContext {
  /** The course's term (Canvas instants, or plain `YYYY-MM-DD` dates); either end may be missing. */
  term?: { startAt?: string | null; endAt?: string | null } | null;
  /** The course's IANA time zone. */
  timeZone: string;
  /** "Now": picks the year when there is no term, and is chrono's reference. */
  reference: Date;
}

type Kind = SyllabusKind;

// Things that repeat every week are not dates: office hours, "every Monday", "Tuesdays".
const RECURRING = /\b(office hours?|every|each week|weekly|(mon|tues|wednes|thurs|fri|satur|sun)days)\b/i;
const IN_WEEK_SCHEDULE = /\b(week|wk)\.?\s*\d+\b|^\d{1,2}\.?$/i;

/**
 * The dated items a student should see from a course's syllabus (Canvas `syllabus_body`):
 * rows of date tables, list items, paragraphs and headings that carry a month and day
 * ("Week 3 | Sep 15 | Quiz 2", "Midterm: Oct 12", "Final project due Dec 4 at 11:59pm",
 * "No class — Thanksgiving, Nov 26", "Spring break Mar 9–13"). Pure and deterministic:
 * sorted by date, time and title, one item per date and title.
 *
 * Years are never taken from chrono's guess: a date without a year gets the year that puts
 * it inside the term window, and any date outside the window (with or without a year) is
 * dropped. With no term, the window is six months either side of the reference date; with
 * one end only, a year from (or to) it.
 *
 * Not extracted, by design:
 * - weekly repeats (office hours, "every Monday", "Tuesdays 2–4pm"), weekday-only or relative
 *   dates ("next Friday", "tomorrow") and times with no date;
 * - lines that name a week only ("Week 3 (Sep 15–19)" with nothing else) and items listed
 *   under a dated heading without a date of their own;
 * - lecture topics: in a week-by-week schedule (a "Week N" label or a week column) only
 *   exams, deadlines and holidays are kept, and in a table with a due/assessment column a
 *   row with nothing in that column is skipped unless it is a holiday;
 * - fractions read as dates ("read 1/2 of chapter 4"); slash dates are month first;
 * - text inside scripts, styles, images and attachments.
 * A range gives one item on its first day (with `endDate`), or on the one weekday of the
 * range the same line names ("Week 3 (Sep 15–19): quiz Thursday"). "Midnight" is read as
 * 23:59 of that day, as students mean it.
 */
export function extractSyllabusDates(html: string, context: SyllabusContext): SyllabusDate[] {
  const window = termWindow(context.term, context.timeZone, context.reference);
  if (!window) return [];
  const found: SyllabusDate[] = [];
  for (const block of syllabusBlocks(html)) {
    if (block.kind === 'line') {
      const schedule = IN_WEEK_SCHEDULE.test(block.text);
      for (const clause of clauses(block.text))
        found.push(...datesInClause(clause, block.text, window, schedule));
    } else {
      found.push(...datesInRow(block, window));
    }
  }
  return dedupe(found);
}

/**
 * Syllabus dates as sync items (kind `syllabus`). Each key, `syllabus:<courseId>:<date>:<slug>`,
 * depends only on the date and title, so it is stable across syncs. All-day items are due at
 * 23:59:59 local time (Canvas's "end of day"); `dueAt` is UTC, computed in the course zone.
 */
export function syllabusSourceItems(
  dates: SyllabusDate[],
  course: { courseId: string; courseName: string; courseCode: string; timeZone: string; syllabusUrl: string },
): SourceItem[] {
  const items = new Map<string, SourceItem>();
  for (const d of dates) {
    const key = `syllabus:${course.courseId}:${d.date}:${slugOf(d.title)}`;
    if (items.has(key)) continue;
    const local = Temporal.PlainDateTime.from(`${d.date}T${d.time ?? '23:59:59'}`);
    items.set(key, {
      key,
      kind: 'syllabus',
      courseId: course.courseId,
      courseName: course.courseName,
      courseCode: course.courseCode,
      title: d.title,
      // The same ISO form as Canvas items (`toISOString`, with milliseconds).
      dueAt: new Date(local.toZonedDateTime(course.timeZone).epochMilliseconds).toISOString(),
      allDay: d.time === undefined,
      allDayDate: d.time === undefined ? d.date : null,
      pointsPossible: null,
      submitted: false,
      missing: false,
      htmlUrl: course.syllabusUrl,
    });
  }
  return [...items.values()];
}

/** A URL- and key-safe form of a title; non-Latin titles get a short hash instead. */
export function slugOf(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
  if (slug) return slug;
  let hash = 0x811c9dc5;
  for (const char of title) hash = Math.imul(hash ^ (char.codePointAt(0) ?? 0), 0x01000193) >>> 0;
  return `t${hash.toString(16).padStart(8, '0')}`;
}

/** `schedule`: the text is a week of a course schedule, whose plain events are lecture topics. */
function datesInClause(
  text: string,
  sourceText: string,
  window: TermWindow,
  schedule: boolean,
): SyllabusDate[] {
  if (RECURRING.test(text)) return [];
  const results = parseDates(text, window);
  const full = results.filter(isDated);
  if (full.length === 0) return [];
  const title = titleOf(text, results);
  if (!title) return [];
  const kind = kindOf(title);
  if (schedule && kind === 'event') return [];
  const loneTime = results.find(isTimeOnly);
  const weekday = results.filter(isWeekdayOnly);
  const out: SyllabusDate[] = [];
  for (const result of full) {
    const dated = resolve(result, window);
    if (!dated) continue;
    const time = timeOf(result) ?? (full.length === 1 && loneTime ? timeOf(loneTime) : undefined);
    out.push(pinWeekday({ title, ...dated, time, kind, sourceText }, weekday, kind));
  }
  return out;
}

function datesInRow(row: Extract<SyllabusBlock, { kind: 'row' }>, window: TermWindow): SyllabusDate[] {
  const sourceText = row.cells
    .map((lines) => lines.join(', '))
    .filter(Boolean)
    .join(' | ');
  const dueColumns = row.headings.flatMap((h, i) =>
    /due|assign|deliverable|assess|exam|quiz|homework|task|event/i.test(h) ? [i] : [],
  );
  // The row's date: the first cell (a date column first) holding a month and day.
  let rowDate: { date: ReturnType<typeof resolve>; results: chrono.ParsedResult[]; cell: number } | undefined;
  const order = row.cells.map((_, i) => i).filter((i) => !dueColumns.includes(i));
  for (const i of order) {
    const text = (row.cells[i] ?? []).join(' ');
    const results = parseDates(text, window);
    const first = results.find(isDated);
    if (first) {
      rowDate = { date: resolve(first, window), results, cell: i };
      break;
    }
  }
  const schedule =
    row.headings.some((h) => /\bweek\b/i.test(h)) ||
    row.cells.some((lines) => IN_WEEK_SCHEDULE.test(lines.join(' ')));
  const titleLines: string[] = [];
  if (dueColumns.length > 0) {
    titleLines.push(...dueColumns.flatMap((i) => row.cells[i] ?? []));
    if (titleLines.length === 0) {
      const holidays = row.cells.flatMap((lines, i) =>
        i === rowDate?.cell ? [] : lines.filter((l) => HOLIDAY.test(l)),
      );
      titleLines.push(...holidays);
    }
  } else {
    const parts = row.cells.flatMap((lines, i) => {
      const text = lines.join(', ');
      if (/^\d{1,2}\.?$/.test(text)) return []; // a week-number column
      return i === rowDate?.cell ? [titleOf(text, rowDate.results)] : [text];
    });
    // A cell that names an exam, deadline or holiday is the title; otherwise the whole row is.
    const named = parts.filter((part) => part && kindOf(part) !== 'event');
    titleLines.push(...(named.length > 0 ? named : [parts.filter(Boolean).join(' — ')]));
  }
  const out: SyllabusDate[] = [];
  for (const line of titleLines) {
    for (const clause of clauses(line)) {
      if (RECURRING.test(clause)) continue;
      const results = parseDates(clause, window);
      if (results.some(isDated)) {
        out.push(...datesInClause(clause, sourceText, window, schedule));
        continue;
      }
      const title = titleOf(clause, results);
      if (!title || !rowDate?.date) continue;
      const kind = kindOf(title);
      if (schedule && kind === 'event') continue;
      const rowTime = rowDate.results.find(isDated);
      const time = (rowTime && timeOf(rowTime)) ?? timeOf(results.find(isTimeOnly));
      const weekday = [...results, ...rowDate.results].filter(isWeekdayOnly);
      out.push(pinWeekday({ title, ...rowDate.date, time, kind, sourceText }, weekday, kind));
    }
  }
  return out;
}

function parseDates(text: string, window: TermWindow): chrono.ParsedResult[] {
  // chrono reads "15-19" as a range but not "15–19": make dashes between numbers plain.
  const plain = text
    .replace(/(\d)\s*[–—]\s*(?=\d)/g, '$1-')
    .replace(/([a-z]{3,}\.? \d{1,2})\s*[–—]\s*/gi, '$1 - ');
  let results: chrono.ParsedResult[];
  try {
    const reference = window.reference.toZonedDateTime({ timeZone: 'UTC', plainTime: '12:00' });
    results = chrono.parse(plain, new Date(reference.epochMilliseconds));
  } catch {
    return [];
  }
  // "1/2 of chapter 4" is a fraction, not the second of January.
  return results.filter(
    (r) =>
      !(
        /^\d{1,2}\/\d{1,2}$/.test(r.text) &&
        /^\s*(of|th|st|nd|rd)\b/i.test(plain.slice(r.index + r.text.length))
      ),
  );
}

// A date the syllabus writes out: chrono also makes "tomorrow" or "in 3 days" certain.
const isDated = (r: chrono.ParsedResult) =>
  r.start.isCertain('month') &&
  r.start.isCertain('day') &&
  /\d/.test(r.text) &&
  !/\b(ago|from now|later|in \d+|within)\b/i.test(r.text);
const isTimeOnly = (r: chrono.ParsedResult) =>
  !isDated(r) && !r.start.isCertain('weekday') && r.start.isCertain('hour');
const isWeekdayOnly = (r: chrono.ParsedResult) => !isDated(r) && r.start.isCertain('weekday');

function timeOf(result: chrono.ParsedResult | undefined): string | undefined {
  if (!result?.start.isCertain('hour')) return undefined;
  if (/midnight/i.test(result.text)) return '23:59';
  const hour = result.start.get('hour') ?? 0;
  const minute = result.start.get('minute') ?? 0;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** The date (and range end) of a result, with the year taken from the term, never chrono. */
function dateOf(c: chrono.ParsedComponents, window: TermWindow, notBefore: Temporal.PlainDate) {
  const year = c.isCertain('year') ? (c.get('year') ?? undefined) : undefined;
  return dateInWindow(c.get('month') ?? 0, c.get('day') ?? 0, year, window, notBefore);
}

function resolve(
  result: chrono.ParsedResult,
  window: TermWindow,
): { date: string; endDate?: string } | undefined {
  const start = dateOf(result.start, window, window.start);
  if (!start) return undefined;
  const end =
    result.end?.isCertain('month') && result.end.isCertain('day')
      ? dateOf(result.end, window, start)
      : undefined;
  return end && Temporal.PlainDate.compare(end, start) > 0
    ? { date: start.toString(), endDate: end.toString() }
    : { date: start.toString() };
}

/** A range narrowed to the one weekday the same text names inside it; keys in one order. */
function pinWeekday(item: SyllabusDate, weekdays: chrono.ParsedResult[], kind: Kind): SyllabusDate {
  const shaped = (date: string, endDate: string | undefined): SyllabusDate => ({
    title: item.title,
    date,
    ...(item.time === undefined ? {} : { time: item.time }),
    ...(endDate === undefined ? {} : { endDate }),
    kind: item.kind,
    sourceText: item.sourceText,
  });
  const weekday = weekdays[0]?.start.get('weekday');
  if (
    !item.endDate ||
    kind === 'holiday' ||
    weekdays.length !== 1 ||
    weekday === null ||
    weekday === undefined
  ) {
    return shaped(item.date, item.endDate);
  }
  const last = Temporal.PlainDate.from(item.endDate);
  for (
    let day = Temporal.PlainDate.from(item.date);
    Temporal.PlainDate.compare(day, last) <= 0;
    day = day.add({ days: 1 })
  ) {
    if (day.dayOfWeek % 7 === weekday) return shaped(day.toString(), undefined);
  }
  return shaped(item.date, item.endDate);
}

function dedupe(items: SyllabusDate[]): SyllabusDate[] {
  const sorted = [...items].sort(
    (a, b) =>
      compare(a.date, b.date) ||
      compare(a.time ?? '', b.time ?? '') ||
      compare(a.title, b.title) ||
      compare(a.kind, b.kind) ||
      compare(a.endDate ?? '', b.endDate ?? '') ||
      compare(a.sourceText, b.sourceText),
  );
  const seen = new Set<string>();
  return sorted.filter((item) => {
    const key = `${item.date}:${slugOf(item.title)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
