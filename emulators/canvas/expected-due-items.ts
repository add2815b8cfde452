import { Temporal } from 'temporal-polyfill';
import type { CanvasAssignment, CanvasCourse, CanvasState } from './canvas-state.ts';

/** One thing due for a student, as the emulator itself knows it (the truth tests compare against). */
export interface ExpectedDueItem {
  courseId: string;
  kind: 'assignment' | 'quiz' | 'discussion' | 'calendar_event' | 'syllabus';
  /**
   * The Canvas object the item is: an assignment (quizzes and graded discussions included), an
   * ungraded discussion topic (a planner to-do), a quiz no assignment backs (a practice quiz),
   * a calendar event, or a syllabus line.
   */
  source: 'assignment' | 'discussion_topic' | 'quiz' | 'calendar_event' | 'syllabus';
  /** The Canvas id; for a syllabus date `<YYYY-MM-DD>:<title slug>`. */
  id: string;
  title: string;
  dueAt: string | null;
  allDay: boolean;
  allDayDate: string | null;
  submitted: boolean;
  /** Past due and not submitted (Canvas's `missing`). */
  missing: boolean;
  htmlUrl: string;
}

const DAY_MS = 86_400_000;

type Ordered = ExpectedDueItem & { order: [number, number, string] };

/**
 * Everything due for `userId` in the courses they can open (active enrollment, not
 * date-restricted): every published assignment with the student's own due date (none from a
 * course whose assignments tab is hidden), every course calendar event, and every dated line of
 * the course's syllabus that is not a holiday and not already a Canvas item of the course due
 * the same local day whose title shares a meaningful word. A quiz or graded discussion is its
 * assignment, listed once, as that kind. An ungraded discussion with a to-do date is a
 * `discussion` of its own (id: the topic's), and a published practice quiz with a due date a
 * `quiz` of its own (id: the quiz's), when that date falls in the planner window a good client
 * asks for: its courses' terms, a day wider on each side (a course without dates widens it to
 * 180 days back and a year ahead); the planner is the only place Canvas lists them by date.
 * Sorted by course, then id.
 */
export function expectedDueItems(
  state: CanvasState,
  userId: number,
  origin: string,
  now: number,
): ExpectedDueItem[] {
  const open = new Map(state.openCoursesOf(userId).map((c) => [c.id, c]));
  const items: Ordered[] = [];
  for (const a of state.assignments.values()) {
    const course = open.get(a.courseId);
    if (!course || course.hiddenTabs.has('assignments') || !a.published) continue;
    const dueAt = state.dueAtFor(a, userId);
    const allDayDate = state.allDayDate(dueAt, a.courseId);
    items.push({
      order: [a.courseId, a.id, ''],
      courseId: String(a.courseId),
      kind: assignmentKind(state, a),
      source: 'assignment',
      id: String(a.id),
      title: a.name,
      dueAt,
      allDay: allDayDate !== null,
      allDayDate,
      submitted: state.submissions.has(`${userId}:${a.id}`),
      missing: !state.submissions.has(`${userId}:${a.id}`) && dueAt !== null && Date.parse(dueAt) < now,
      htmlUrl: `${origin}/courses/${a.courseId}/assignments/${a.id}`,
    });
  }
  const window = plannerWindow([...open.values()], now);
  for (const d of state.discussions.values()) {
    if (!open.has(d.courseId) || !d.published || d.assignmentId !== null || d.todoDate === null) continue;
    const at = Date.parse(d.todoDate);
    if (at < window.start || at > window.end) continue;
    items.push({
      order: [d.courseId, d.id, ''],
      courseId: String(d.courseId),
      kind: 'discussion',
      source: 'discussion_topic',
      id: String(d.id),
      title: d.title,
      dueAt: d.todoDate,
      allDay: false,
      allDayDate: null,
      submitted: false,
      missing: false,
      htmlUrl: `${origin}/courses/${d.courseId}/discussion_topics/${d.id}`,
    });
  }
  for (const q of state.quizzes.values()) {
    if (!open.has(q.courseId) || !q.published || q.assignmentId !== null || q.dueAt === null) continue;
    const at = Date.parse(q.dueAt);
    if (at < window.start || at > window.end) continue;
    items.push({
      order: [q.courseId, q.id, ''],
      courseId: String(q.courseId),
      kind: 'quiz',
      source: 'quiz',
      id: String(q.id),
      title: q.title,
      dueAt: q.dueAt,
      allDay: false,
      allDayDate: null,
      submitted: false,
      missing: false,
      htmlUrl: `${origin}/courses/${q.courseId}/quizzes/${q.id}`,
    });
  }
  for (const e of state.calendarEvents.values()) {
    if (!open.has(e.courseId)) continue;
    items.push({
      order: [e.courseId, e.id, ''],
      courseId: String(e.courseId),
      kind: 'calendar_event',
      source: 'calendar_event',
      id: String(e.id),
      title: e.title,
      dueAt: e.startAt,
      allDay: e.allDay,
      allDayDate: e.allDayDate,
      submitted: false,
      missing: false,
      htmlUrl: `${origin}/calendar?event_id=${e.id}&include_contexts=course_${e.courseId}`,
    });
  }
  for (const course of open.values()) items.push(...syllabusItems(course, items, origin));
  items.sort(
    (x, y) =>
      x.order[0] - y.order[0] ||
      x.order[1] - y.order[1] ||
      (x.order[2] < y.order[2] ? -1 : x.order[2] > y.order[2] ? 1 : 0),
  );
  return items.map(({ order: _order, ...item }) => item);
}

/** The planner window a client should read: the courses' terms, a day wider on each side. */
function plannerWindow(courses: CanvasCourse[], now: number): { start: number; end: number } {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of courses) {
    start = Math.min(start, c.term?.startAt ? Date.parse(c.term.startAt) : now - 180 * DAY_MS);
    end = Math.max(end, c.term?.endAt ? Date.parse(c.term.endAt) : now + 365 * DAY_MS);
  }
  if (!Number.isFinite(start)) start = now - 180 * DAY_MS;
  if (!Number.isFinite(end)) end = now + 365 * DAY_MS;
  return { start: start - DAY_MS, end: end + DAY_MS };
}

/** The course's syllabus dates a student should see, after the holiday and same-day rules. */
function syllabusItems(course: CanvasCourse, canvasItems: Ordered[], origin: string): Ordered[] {
  const taken = canvasItems
    .filter((i) => i.courseId === String(course.id) && i.dueAt !== null)
    .map((i) => ({
      day:
        i.allDayDate ??
        Temporal.Instant.from(i.dueAt ?? '')
          .toZonedDateTimeISO(course.timeZone)
          .toPlainDate()
          .toString(),
      words: words(i.title),
    }));
  const out = new Map<string, Ordered>();
  for (const d of course.syllabusDates) {
    if (d.holiday) continue;
    const own = words(d.title);
    if (taken.some((t) => t.day === d.date && [...own].some((w) => t.words.has(w)))) continue;
    const id = `${d.date}:${slug(d.title)}`;
    const dueAt = Temporal.PlainDateTime.from(`${d.date}T${d.time ?? '23:59:59'}`)
      .toZonedDateTime(course.timeZone)
      .toInstant()
      .toString();
    out.set(id, {
      order: [course.id, 0, id],
      courseId: String(course.id),
      kind: 'syllabus',
      source: 'syllabus',
      id,
      title: d.title,
      dueAt,
      allDay: d.time === undefined,
      allDayDate: d.time === undefined ? d.date : null,
      submitted: false,
      missing: false,
      htmlUrl: `${origin}/courses/${course.id}/assignments/syllabus`,
    });
  }
  return [...out.values()];
}

// The emulator's own statement of the rule (it imports no engine code): lower-case words of
// three or more characters, a number joined to the word before it ("quiz 2"), without filler.
const FILLER = new Set(['the', 'and', 'for', 'with', 'from', 'class', 'week', 'due', 'final', 'day']);
function words(title: string): Set<string> {
  const all =
    title
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  all.forEach((w, i) => {
    if (/^\d+$/.test(w) || FILLER.has(w)) return;
    const next = all[i + 1];
    if (next !== undefined && /^\d+$/.test(next)) out.add(`${w} ${next}`);
    else if (w.length >= 3) out.add(w);
  });
  return out;
}

function slug(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/^-+|-+$/g, '');
}

export function assignmentKind(
  state: CanvasState,
  a: CanvasAssignment,
): 'assignment' | 'quiz' | 'discussion' {
  if (state.quizOf(a.id) || a.submissionTypes.includes('online_quiz')) return 'quiz';
  if (state.discussionOf(a.id) || a.submissionTypes.includes('discussion_topic')) return 'discussion';
  return 'assignment';
}
