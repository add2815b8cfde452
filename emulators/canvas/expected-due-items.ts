import type { CanvasAssignment, CanvasState } from './canvas-state.ts';

/** One thing due for a student, as the emulator itself knows it (the truth tests compare against). */
export interface ExpectedDueItem {
  courseId: string;
  kind: 'assignment' | 'quiz' | 'discussion' | 'calendar_event';
  id: string;
  title: string;
  dueAt: string | null;
  allDay: boolean;
  allDayDate: string | null;
  submitted: boolean;
  htmlUrl: string;
}

/**
 * Everything due for `userId` in the courses they can open (active enrollment, not
 * date-restricted): every published assignment with the student's own due date, and every
 * course calendar event. A quiz or graded discussion is its assignment, listed once, as
 * that kind. Sorted by course, then id.
 */
export function expectedDueItems(state: CanvasState, userId: number, origin: string): ExpectedDueItem[] {
  const open = new Set(state.openCoursesOf(userId).map((c) => c.id));
  const items: Array<ExpectedDueItem & { order: [number, number] }> = [];
  for (const a of state.assignments.values()) {
    if (!open.has(a.courseId) || !a.published) continue;
    const dueAt = state.dueAtFor(a, userId);
    const allDayDate = state.allDayDate(dueAt, a.courseId);
    items.push({
      order: [a.courseId, a.id],
      courseId: String(a.courseId),
      kind: assignmentKind(state, a),
      id: String(a.id),
      title: a.name,
      dueAt,
      allDay: allDayDate !== null,
      allDayDate,
      submitted: state.submissions.has(`${userId}:${a.id}`),
      htmlUrl: `${origin}/courses/${a.courseId}/assignments/${a.id}`,
    });
  }
  for (const e of state.calendarEvents.values()) {
    if (!open.has(e.courseId)) continue;
    items.push({
      order: [e.courseId, e.id],
      courseId: String(e.courseId),
      kind: 'calendar_event',
      id: String(e.id),
      title: e.title,
      dueAt: e.startAt,
      allDay: e.allDay,
      allDayDate: e.allDayDate,
      submitted: false,
      htmlUrl: `${origin}/calendar?event_id=${e.id}&include_contexts=course_${e.courseId}`,
    });
  }
  items.sort((x, y) => x.order[0] - y.order[0] || x.order[1] - y.order[1]);
  return items.map(({ order: _order, ...item }) => item);
}

export function assignmentKind(
  state: CanvasState,
  a: CanvasAssignment,
): 'assignment' | 'quiz' | 'discussion' {
  if (state.quizOf(a.id) || a.submissionTypes.includes('online_quiz')) return 'quiz';
  if (state.discussionOf(a.id) || a.submissionTypes.includes('discussion_topic')) return 'discussion';
  return 'assignment';
}
