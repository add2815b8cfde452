import type { SourceItem } from '../sync/source-item.ts';
import type {
  CanvasAssignmentJson,
  CanvasCalendarEventJson,
  CanvasCourseJson,
  CanvasPlannerItemJson,
} from './canvas-schemas.ts';

/** What one read of Canvas gathered for a student, before it is joined. */
export interface CanvasReadParts {
  courses: CanvasCourseJson[];
  /** Per course id: every assignment (quizzes and graded discussions included). */
  assignments: Map<string, CanvasAssignmentJson[]>;
  planner: CanvasPlannerItemJson[];
  /** `type=event` calendar entries of the courses. */
  events: CanvasCalendarEventJson[];
  /** `type=assignment` calendar entries: where Canvas says which deadlines are all-day. */
  assignmentEvents: CanvasCalendarEventJson[];
  /** The Canvas origin, to make the planner's relative links absolute. */
  origin?: string;
}

// Planner items that are due without an assignment: an ungraded discussion or a page whose
// teacher set a to-do date. Planner notes and announcements are not the student's work.
const TODO_TYPES = new Set(['discussion_topic', 'wiki_page']);

/**
 * Joins a read into one item per course and assignment, plus one per course event. The
 * course's assignment list is the source of truth for what exists and when it is due; a
 * planner item (an assignment, or the quiz or discussion that an assignment backs) only adds
 * what the student's planner knows about their own work. A planner item with no assignment in
 * the course's list is stale (deleted or unpublished since) and dropped. A planner to-do that
 * no assignment backs (an ungraded discussion or a page with a `todo_date`) is an item of its
 * own, kind `discussion`, and so is an ungraded (practice) quiz with a due date, kind `quiz`
 * (Canvas's planner is the only listing that dates it), each keyed by its planner type, course
 * and id. All-day comes from
 * Canvas's `all_day_date`, never from the UTC instant. Pure: no I/O.
 */
export function joinDueItems(parts: CanvasReadParts): {
  items: SourceItem[];
  undated: Array<Omit<SourceItem, 'dueAt'>>;
} {
  const courseInfo = new Map(
    parts.courses.map((c) => [
      c.id,
      { courseId: c.id, courseName: c.name ?? c.id, courseCode: c.course_code ?? c.name ?? c.id },
    ]),
  );
  const allDay = new Map<string, { dueAt: string; date: string }>();
  for (const e of parts.assignmentEvents) {
    const id = e.assignment?.id ?? /^assignment_(.+)$/.exec(e.id)?.[1];
    if (id !== undefined && e.all_day && e.all_day_date && e.start_at)
      allDay.set(`${e.context_code}:${id}`, { dueAt: e.start_at, date: e.all_day_date });
  }
  const work = new Map<string, { submitted: boolean; missing: boolean }>();
  for (const p of parts.planner) {
    const assignmentId = plannerAssignmentId(p);
    if (assignmentId === undefined || p.course_id == null || !p.submissions) continue;
    work.set(`${p.course_id}:${assignmentId}`, {
      submitted: p.submissions.submitted ?? false,
      missing: p.submissions.missing ?? false,
    });
  }

  const items: SourceItem[] = [];
  const undated: Array<Omit<SourceItem, 'dueAt'>> = [];
  const seen = new Set<string>();
  for (const [courseId, list] of parts.assignments) {
    const info = courseInfo.get(courseId);
    if (!info) continue;
    for (const a of list) {
      const key = `assignment:${courseId}:${a.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const state = a.submission?.workflow_state ?? 'unsubmitted';
      const planner = work.get(`${courseId}:${a.id}`);
      const marked = allDay.get(`course_${courseId}:${a.id}`);
      const isAllDay = marked !== undefined && a.due_at !== null && sameInstant(marked.dueAt, a.due_at);
      const item = {
        key,
        kind: kindOf(a),
        ...info,
        title: a.name,
        allDay: isAllDay,
        allDayDate: isAllDay ? (marked?.date ?? null) : null,
        pointsPossible: a.points_possible ?? null,
        submitted: ['submitted', 'graded', 'pending_review'].includes(state) || (planner?.submitted ?? false),
        missing: a.submission?.missing ?? planner?.missing ?? false,
        htmlUrl: a.html_url,
      } as const;
      if (a.due_at) items.push({ ...item, dueAt: new Date(a.due_at).toISOString() });
      else undated.push(item);
    }
  }
  for (const e of parts.events) {
    const courseId = /^course_(.+)$/.exec(e.context_code)?.[1];
    const info = courseId === undefined ? undefined : courseInfo.get(courseId);
    if (!info || !e.start_at) continue;
    const key = `calendar_event:${info.courseId}:${e.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const isAllDay = Boolean(e.all_day && e.all_day_date);
    items.push({
      key,
      kind: 'calendar_event',
      ...info,
      title: e.title,
      dueAt: new Date(e.start_at).toISOString(),
      allDay: isAllDay,
      allDayDate: isAllDay ? (e.all_day_date ?? null) : null,
      pointsPossible: null,
      submitted: false,
      missing: false,
      htmlUrl: e.html_url,
    });
  }
  for (const p of parts.planner) {
    const courseId = p.course_id ?? undefined;
    const info = courseId === undefined ? undefined : courseInfo.get(courseId);
    if (!info || plannerAssignmentId(p) !== undefined) continue;
    const ungradedQuiz = p.plannable_type === 'quiz';
    const due = ungradedQuiz
      ? (p.plannable.due_at ?? p.plannable_date)
      : TODO_TYPES.has(p.plannable_type)
        ? p.plannable.todo_date
        : undefined;
    if (!due) continue;
    const key = `${p.plannable_type}:${info.courseId}:${p.plannable.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const link = p.plannable.html_url ?? p.html_url ?? '';
    items.push({
      key,
      kind: ungradedQuiz ? 'quiz' : 'discussion',
      ...info,
      title: p.plannable.title ?? '',
      dueAt: new Date(due).toISOString(),
      allDay: false,
      allDayDate: null,
      pointsPossible: ungradedQuiz ? (p.plannable.points_possible ?? null) : null,
      submitted: false,
      missing: false,
      htmlUrl: parts.origin && link.startsWith('/') ? `${parts.origin}${link}` : link,
    });
  }
  return { items, undated };
}

/** The assignment behind a planner item: itself, or the one a quiz or discussion is graded by. */
function plannerAssignmentId(p: CanvasPlannerItemJson): string | undefined {
  if (p.plannable_type === 'assignment') return p.plannable.id;
  if (p.plannable_type === 'quiz' || p.plannable_type === 'discussion_topic')
    return p.plannable.assignment_id ?? p.plannable.assignment?.id ?? undefined;
  return undefined;
}

function kindOf(a: CanvasAssignmentJson): SourceItem['kind'] {
  if (a.is_quiz_assignment || a.quiz_id !== undefined || a.submission_types.includes('online_quiz'))
    return 'quiz';
  if (a.discussion_topic !== undefined || a.submission_types.includes('discussion_topic'))
    return 'discussion';
  return 'assignment';
}

const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);
