import {
  badRequest,
  includes,
  NOT_FOUND,
  type RouteContext,
  sendPage,
  TAB_DISABLED,
  UNAUTHORIZED,
} from './canvas-http.ts';
import type { CanvasAssignment, CanvasCourse, CourseTab, EnrollmentState } from './canvas-state.ts';

const ENROLLMENT_STATES: Record<string, EnrollmentState[]> = {
  active: ['active'],
  invited_or_pending: ['invited'],
  completed: ['completed'],
};
const BUCKETS = ['past', 'overdue', 'undated', 'ungraded', 'unsubmitted', 'upcoming', 'future'];
const WEEK_MS = 7 * 86_400_000;

/** `/courses`, `/courses/:id`, and a course's assignments, quizzes and discussion topics. */
export function handleCourseRoutes(ctx: RouteContext): boolean {
  const path = ctx.url.pathname;
  if (path === '/api/v1/courses') {
    listCourses(ctx);
    return true;
  }
  const match = /^\/api\/v1\/courses\/(\d+)(?:\/(assignments|quizzes|discussion_topics))?$/.exec(path);
  if (!match) return false;
  const course = ctx.state.courses.get(Number(match[1]));
  if (!course) {
    ctx.send(404, NOT_FOUND);
    return true;
  }
  // A course that exists but is not this student's is a permission error, not a 404.
  if (!ctx.state.enrollments.get(ctx.user.id)?.has(course.id)) {
    ctx.send(401, UNAUTHORIZED);
    return true;
  }
  const sub = match[2];
  if (sub === undefined) {
    ctx.send(200, course.restricted ? restrictedStub(ctx, course) : courseJson(ctx, course));
    return true;
  }
  if (course.restricted || ctx.state.enrollmentOf(ctx.user.id, course.id).state !== 'active') {
    ctx.send(401, UNAUTHORIZED);
    return true;
  }
  const tab: CourseTab =
    sub === 'discussion_topics' ? 'discussions' : sub === 'quizzes' ? 'quizzes' : 'assignments';
  if (course.hiddenTabs.has(tab)) {
    ctx.send(404, TAB_DISABLED);
    return true;
  }
  if (sub === 'assignments') listAssignments(ctx, course);
  else if (sub === 'quizzes') listQuizzes(ctx, course);
  else listDiscussions(ctx, course);
  return true;
}

function listCourses(ctx: RouteContext): void {
  const { url, state, user } = ctx;
  const stateParam = url.searchParams.get('enrollment_state');
  if (stateParam !== null && !(stateParam in ENROLLMENT_STATES)) {
    badRequest(ctx, 'Invalid enrollment_state');
    return;
  }
  // Without enrollment_state Canvas lists active and invited enrollments.
  const states = stateParam === null ? ['active', 'invited'] : (ENROLLMENT_STATES[stateParam] ?? []);
  const type = url.searchParams.get('enrollment_type');
  const courses = state.coursesOf(user.id).filter((c) => {
    const enrollment = state.enrollmentOf(user.id, c.id);
    return states.includes(enrollment.state) && (type === null || enrollment.type === type);
  });
  sendPage(
    ctx,
    courses.map((c) => (c.restricted ? restrictedStub(ctx, c) : courseJson(ctx, c))),
  );
}

const restrictedStub = (ctx: RouteContext, c: CanvasCourse) => ({
  id: ctx.id(c.id),
  access_restricted_by_date: true,
});

function courseJson(ctx: RouteContext, c: CanvasCourse): Record<string, unknown> {
  const enrollment = ctx.state.enrollmentOf(ctx.user.id, c.id);
  const include = includes(ctx.url);
  return {
    id: ctx.id(c.id),
    name: c.name,
    course_code: c.courseCode,
    workflow_state: 'available',
    start_at: c.term?.startAt ?? null,
    end_at: c.term?.endAt ?? null,
    enrollment_term_id: c.term ? ctx.id(c.term.id) : null,
    time_zone: c.timeZone,
    enrollments: [
      {
        type: enrollment.type,
        role: `${enrollment.type[0]?.toUpperCase()}${enrollment.type.slice(1)}Enrollment`,
        enrollment_state: enrollment.state,
        user_id: ctx.id(ctx.user.id),
      },
    ],
    ...(include.includes('term')
      ? {
          term: c.term
            ? { id: ctx.id(c.term.id), name: c.term.name, start_at: c.term.startAt, end_at: c.term.endAt }
            : null,
        }
      : {}),
    ...(include.includes('syllabus_body') ? { syllabus_body: c.syllabusBody } : {}),
  };
}

function listAssignments(ctx: RouteContext, course: CanvasCourse): void {
  const { url, state, user } = ctx;
  const bucket = url.searchParams.get('bucket');
  if (bucket !== null && !BUCKETS.includes(bucket)) {
    badRequest(ctx, `bucket name must be one of the following: ${BUCKETS.join(', ')}`);
    return;
  }
  const orderBy = url.searchParams.get('order_by') ?? 'position';
  if (!['position', 'name', 'due_at'].includes(orderBy)) {
    badRequest(ctx, 'order_by must be one of the following: position, name, due_at');
    return;
  }
  const withSubmission = includes(url).includes('submission');
  const rows = [...state.assignments.values()]
    .filter((a) => a.courseId === course.id && a.published)
    .map((a) => ({ a, dueAt: state.dueAtFor(a, user.id), work: state.submissions.get(`${user.id}:${a.id}`) }))
    .filter((row) => bucket === null || inBucket(bucket, row.dueAt, row.work, ctx.now));
  const byPosition = (x: CanvasAssignment, y: CanvasAssignment) => x.position - y.position || x.id - y.id;
  rows.sort((x, y) => {
    if (orderBy === 'name') return x.a.name.localeCompare(y.a.name) || x.a.id - y.a.id;
    // Canvas sorts undated assignments last when ordering by due date.
    if (orderBy === 'due_at')
      return (
        (x.dueAt === null ? 1 : 0) - (y.dueAt === null ? 1 : 0) ||
        Date.parse(x.dueAt ?? '') - Date.parse(y.dueAt ?? '') ||
        x.a.id - y.a.id
      );
    return byPosition(x.a, y.a);
  });
  sendPage(
    ctx,
    rows.map(({ a, dueAt, work }) => {
      const quiz = state.quizOf(a.id);
      const topic = state.discussionOf(a.id);
      return {
        id: ctx.id(a.id),
        course_id: ctx.id(course.id),
        name: a.name,
        position: a.position,
        due_at: dueAt,
        lock_at: null,
        unlock_at: null,
        points_possible: a.pointsPossible,
        submission_types: a.submissionTypes,
        workflow_state: 'published',
        published: true,
        is_quiz_assignment: quiz !== undefined,
        ...(quiz ? { quiz_id: ctx.id(quiz.id) } : {}),
        ...(topic ? { discussion_topic: { id: ctx.id(topic.id), title: topic.title } } : {}),
        html_url: `${ctx.origin}/courses/${course.id}/assignments/${a.id}`,
        has_submitted_submissions: [...state.submissions.keys()].some((k) => k.endsWith(`:${a.id}`)),
        ...(withSubmission
          ? {
              submission: {
                assignment_id: ctx.id(a.id),
                user_id: ctx.id(user.id),
                workflow_state: work ?? 'unsubmitted',
                missing: work === undefined && dueAt !== null && Date.parse(dueAt) < ctx.now,
                late: false,
              },
            }
          : {}),
      };
    }),
  );
}

function inBucket(
  bucket: string,
  dueAt: string | null,
  work: 'submitted' | 'graded' | undefined,
  now: number,
): boolean {
  const due = dueAt === null ? null : Date.parse(dueAt);
  switch (bucket) {
    case 'past':
      return due !== null && due < now;
    case 'overdue':
      return due !== null && due < now && work === undefined;
    case 'undated':
      return due === null;
    case 'ungraded':
      return work === 'submitted';
    case 'unsubmitted':
      return work === undefined;
    case 'upcoming':
      return due !== null && due >= now && due < now + WEEK_MS;
    default:
      return due === null || due >= now;
  }
}

function listQuizzes(ctx: RouteContext, course: CanvasCourse): void {
  const { state, user } = ctx;
  const quizzes = [...state.quizzes.values()]
    .filter((q) => q.courseId === course.id && q.published)
    .sort((a, b) => a.id - b.id);
  sendPage(
    ctx,
    quizzes.map((q) => {
      const assignment = q.assignmentId === null ? undefined : state.assignments.get(q.assignmentId);
      return {
        id: ctx.id(q.id),
        title: q.title,
        html_url: `${ctx.origin}/courses/${course.id}/quizzes/${q.id}`,
        quiz_type: q.quizType,
        assignment_id: assignment ? ctx.id(assignment.id) : null,
        due_at: assignment ? state.dueAtFor(assignment, user.id) : q.dueAt,
        lock_at: null,
        unlock_at: null,
        points_possible: assignment ? assignment.pointsPossible : q.pointsPossible,
        published: true,
      };
    }),
  );
}

function listDiscussions(ctx: RouteContext, course: CanvasCourse): void {
  const { state, user } = ctx;
  const topics = [...state.discussions.values()]
    .filter((d) => d.courseId === course.id && d.published)
    .sort((a, b) => b.id - a.id);
  sendPage(
    ctx,
    topics.map((d) => {
      const assignment = d.assignmentId === null ? undefined : state.assignments.get(d.assignmentId);
      return {
        id: ctx.id(d.id),
        title: d.title,
        html_url: `${ctx.origin}/courses/${course.id}/discussion_topics/${d.id}`,
        assignment_id: assignment ? ctx.id(assignment.id) : null,
        todo_date: d.todoDate,
        published: true,
        discussion_type: 'threaded',
        ...(assignment
          ? {
              assignment: {
                id: ctx.id(assignment.id),
                course_id: ctx.id(course.id),
                name: assignment.name,
                due_at: state.dueAtFor(assignment, user.id),
                points_possible: assignment.pointsPossible,
                submission_types: assignment.submissionTypes,
              },
            }
          : {}),
      };
    }),
  );
}
