import { Temporal } from 'temporal-polyfill';
import type { SourceItem } from '../sync/source-item.ts';
import { extractSyllabusDates, syllabusSourceItems } from './syllabus-dates.ts';

/** A course as the syllabus read needs it. */
export interface SyllabusCourse {
  courseId: string;
  courseName: string;
  courseCode: string;
  syllabusBody: string | null | undefined;
  term: { startAt?: string | null; endAt?: string | null } | null | undefined;
  /** The course's zone, else the student's. */
  timeZone: string;
  syllabusUrl: string;
}

/**
 * The dates of a course's syllabus that are due items (kind `syllabus`). Holidays are not
 * deadlines and are left out. A syllabus date is also left out when the course already has a
 * Canvas item due the same local day (in the course's zone) whose title shares a meaningful
 * word with it (syllabus "Midterm: Oct 12" and the Canvas quiz "Midterm Exam" due Oct 12): the
 * Canvas item is the truth, with its time, points and submission state. Pure.
 */
export function syllabusDueItems(
  course: SyllabusCourse,
  canvasItems: readonly SourceItem[],
  reference: Date,
): SourceItem[] {
  if (!course.syllabusBody) return [];
  const dates = extractSyllabusDates(course.syllabusBody, {
    term: course.term ?? null,
    timeZone: course.timeZone,
    reference,
  }).filter((d) => d.kind !== 'holiday');
  const taken = canvasItems
    .filter((i) => i.courseId === course.courseId)
    .map((i) => ({ day: localDay(i, course.timeZone), words: meaningfulWords(i.title) }));
  return syllabusSourceItems(dates, course).filter((item) => {
    const day = localDay(item, course.timeZone);
    const words = meaningfulWords(item.title);
    return !taken.some((t) => t.day === day && [...words].some((w) => t.words.has(w)));
  });
}

// Words too common in course titles to say two items are the same thing ("Final exam" and
// "Final project" on one day are two things).
const FILLER = new Set(['the', 'and', 'for', 'with', 'from', 'class', 'week', 'due', 'final', 'day']);

/**
 * The words that identify an item: lower case, accents dropped, three characters or more, a
 * number joined to the word before it, however short ("Quiz 2" → "quiz 2", "HW 3" → "hw 3";
 * so Quiz 2 and Homework 2 differ), without filler.
 */
export function meaningfulWords(title: string): Set<string> {
  const all =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  all.forEach((word, i) => {
    if (/^\d+$/.test(word) || FILLER.has(word)) return;
    const next = all[i + 1];
    if (next !== undefined && /^\d+$/.test(next)) out.add(`${word} ${next}`);
    else if (word.length >= 3) out.add(word);
  });
  return out;
}

/** The local day an item falls on: Canvas's all-day date, else its instant in `timeZone`. */
function localDay(item: SourceItem, timeZone: string): string {
  return (
    item.allDayDate ?? Temporal.Instant.from(item.dueAt).toZonedDateTimeISO(timeZone).toPlainDate().toString()
  );
}
