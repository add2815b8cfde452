import { Temporal } from 'temporal-polyfill';
import type { CanvasState } from './canvas-state.ts';

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
 * Everything due for `userId` in the courses they can open, overrides applied. An assignment
 * backing a quiz or discussion is listed once, as that kind. Sorted by course, then id.
 */
export function expectedDueItems(state: CanvasState, userId: number, origin: string): ExpectedDueItem[] {
  const zone = state.users.get(userId)?.timeZone ?? 'UTC';
  const open = new Set(
    state
      .coursesOf(userId)
      .filter((c) => !c.restricted)
      .map((c) => c.id),
  );
  const items: Array<ExpectedDueItem & { order: [number, number] }> = [];
  for (const a of state.assignments.values()) {
    if (!open.has(a.courseId) || !a.published) continue;
    const dueAt = state.dueAtFor(a, userId);
    const allDayDate = dueAt === null ? null : endOfDayDate(dueAt, zone);
    const kind = a.submissionTypes.includes('online_quiz')
      ? 'quiz'
      : a.submissionTypes.includes('discussion_topic')
        ? 'discussion'
        : 'assignment';
    items.push({
      order: [a.courseId, a.id],
      courseId: String(a.courseId),
      kind,
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

// Canvas treats a deadline at 23:59:59 in the zone as "end of day", i.e. all-day.
function endOfDayDate(iso: string, zone: string): string | null {
  const local = Temporal.Instant.from(iso).toZonedDateTimeISO(zone);
  return local.hour === 23 && local.minute === 59 && local.second === 59
    ? local.toPlainDate().toString()
    : null;
}
