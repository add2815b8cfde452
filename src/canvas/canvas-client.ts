import type { DueItemsRead, DueItemsSource, ReadNotice } from '../sync/due-items-source.ts';
import {
  AssignmentSchema,
  CalendarEventSchema,
  type CanvasAssignmentJson,
  type CanvasCourseJson,
  CourseSchema,
  PlannerItemSchema,
  ProfileSchema,
} from './canvas-schemas.ts';
import { CanvasRequestError, CanvasTransport, type CanvasTransportOptions } from './canvas-transport.ts';
import { joinDueItems } from './due-items-join.ts';
import { syllabusDueItems } from './syllabus-due-items.ts';

export { CanvasRequestError, nextLink } from './canvas-transport.ts';

// Canvas honours at most 10 context codes per calendar request.
const CONTEXTS_PER_REQUEST = 10;
const DAY_MS = 86_400_000;

export interface CanvasClientOptions extends CanvasTransportOptions {
  /** Clock for the read window when a course has no term dates (default Date.now). */
  now?: () => number;
  /** Items per page asked for (Canvas clamps to 1..100; default 100). */
  perPage?: number;
}

/** A Canvas reader, with what its reads cost: HTTP requests made and Canvas cost units charged. */
export interface CanvasClient extends DueItemsSource {
  readonly requests: number;
  readonly costUnits: number;
  /** Requests Canvas answered 304 Not Modified (a page kept in `pages` reused). */
  readonly notModified: number;
}

/**
 * Everything due for one student. Reads the student's active courses (with their terms and
 * syllabi), the planner over an explicit window covering those terms, each course's
 * assignments (the source of truth), and the courses' calendar (events, and assignment entries
 * for Canvas's all-day dates) in batches of 10 contexts, then joins them: one item per course
 * and assignment (a quiz or graded discussion is its assignment), one per course event, one
 * per planner to-do no assignment backs (an ungraded discussion or page with a to-do date, or a
 * practice quiz with a due date), and one per syllabus date that is not a holiday or a Canvas item already (`syllabusDueItems`).
 * A course whose teacher hid the assignments tab has no assignments (a definite answer, noted
 * in `notices`), not a failed read. The answer is complete or says why it is not; it is never
 * silently short.
 */
export function createCanvasClient(options: CanvasClientOptions): CanvasClient {
  const transport = new CanvasTransport(options);
  const now = options.now ?? Date.now;
  const perPage = Math.min(100, Math.max(1, options.perPage ?? 100));

  const read = async (): Promise<DueItemsRead> => {
    const courses = (
      await transport.listAll(
        `/api/v1/courses?enrollment_state=active&enrollment_type=student&include[]=term&include[]=syllabus_body&per_page=${perPage}`,
        CourseSchema,
      )
    ).filter((c) => !c.access_restricted_by_date);
    // Syllabus dates are local to the course; without a course zone, the student's is asked once.
    const userZone = courses.some((c) => c.syllabus_body && !c.time_zone)
      ? ((await transport.getOne('/api/v1/users/self/profile', ProfileSchema)).time_zone ?? 'UTC')
      : 'UTC';
    const window = readWindow(courses, now());
    const planner = await transport.listAll(
      `/api/v1/planner/items?${new URLSearchParams({
        start_date: window.start,
        end_date: window.end,
        per_page: String(perPage),
      })}`,
      PlannerItemSchema,
    );
    const assignments = new Map<string, CanvasAssignmentJson[]>();
    const notices: ReadNotice[] = [];
    for (const course of courses) {
      try {
        assignments.set(
          course.id,
          await transport.listAll(
            `/api/v1/courses/${course.id}/assignments?include[]=submission&per_page=${perPage}`,
            AssignmentSchema,
            `list assignments for ${course.name ? `${course.name} (course ${course.id})` : `course ${course.id}`}`,
          ),
        );
      } catch (error) {
        if (!(error instanceof CanvasRequestError && error.tabDisabled)) throw error;
        assignments.set(course.id, []);
        notices.push({
          code: 'assignments_hidden',
          courseId: course.id,
          courseName: course.name ?? course.id,
          message: `${course.name ?? `Course ${course.id}`} hides its assignments from students in Canvas`,
        });
      }
    }
    const events = [];
    const assignmentEvents = [];
    for (let i = 0; i < courses.length; i += CONTEXTS_PER_REQUEST) {
      const contexts = courses
        .slice(i, i + CONTEXTS_PER_REQUEST)
        .map((c) => `context_codes[]=course_${encodeURIComponent(c.id)}`)
        .join('&');
      // Course events at any date: an exam moved outside the term is still the student's.
      events.push(
        ...(await transport.listAll(
          `/api/v1/calendar_events?type=event&all_events=true&per_page=${perPage}&${contexts}`,
          CalendarEventSchema,
        )),
      );
      assignmentEvents.push(
        ...(await transport.listAll(
          `/api/v1/calendar_events?type=assignment&all_events=true&per_page=${perPage}&${contexts}`,
          CalendarEventSchema,
        )),
      );
    }
    const joined = joinDueItems({
      courses,
      assignments,
      planner,
      events,
      assignmentEvents,
      origin: transport.origin,
    });
    const reference = new Date(now());
    const syllabus = courses.flatMap((c) =>
      syllabusDueItems(
        {
          courseId: c.id,
          courseName: c.name ?? c.id,
          courseCode: c.course_code ?? c.name ?? c.id,
          syllabusBody: c.syllabus_body,
          term: {
            startAt: c.term?.start_at ?? c.start_at ?? null,
            endAt: c.term?.end_at ?? c.end_at ?? null,
          },
          timeZone: c.time_zone || userZone,
          syllabusUrl: `${transport.origin}/courses/${encodeURIComponent(c.id)}/assignments/syllabus`,
        },
        joined.items,
        reference,
      ),
    );
    return {
      complete: true,
      items: [...joined.items, ...syllabus],
      undated: joined.undated,
      ...(notices.length > 0 ? { notices } : {}),
      courseIds: courses.map((c) => c.id),
    };
  };

  return {
    host: new URL(transport.origin).host,
    get requests() {
      return transport.requests;
    },
    get costUnits() {
      return transport.costUnits;
    },
    get notModified() {
      return transport.notModified;
    },
    async readDueItems(): Promise<DueItemsRead> {
      try {
        return await read();
      } catch (error) {
        if (error instanceof CanvasRequestError)
          return { complete: false, failure: { code: error.code, message: error.message } };
        throw error;
      }
    },
  };
}

/**
 * The planner window: from the earliest term (or course) start to the latest end among the
 * student's courses, a day wider on each side; a course without dates widens it to 180 days
 * back and a year ahead of now.
 */
export function readWindow(courses: CanvasCourseJson[], nowMs: number): { start: string; end: string } {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of courses) {
    const from = c.term?.start_at ?? c.start_at;
    const to = c.term?.end_at ?? c.end_at;
    start = Math.min(start, from ? Date.parse(from) : nowMs - 180 * DAY_MS);
    end = Math.max(end, to ? Date.parse(to) : nowMs + 365 * DAY_MS);
  }
  if (!Number.isFinite(start)) start = nowMs - 180 * DAY_MS;
  if (!Number.isFinite(end)) end = nowMs + 365 * DAY_MS;
  return { start: new Date(start - DAY_MS).toISOString(), end: new Date(end + DAY_MS).toISOString() };
}
