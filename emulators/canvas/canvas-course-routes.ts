import { assignmentJson } from './canvas-assignment-json.ts';
import { courseJson } from './canvas-course-json.ts';
import {
  badRequest,
  includes,
  NOT_FOUND,
  type RouteContext,
  sendPage,
  TAB_DISABLED,
  UNAUTHORIZED,
} from './canvas-http.ts';
import { quizJson } from './canvas-quiz-json.ts';
import type { CanvasAssignment, CanvasCourse, CourseTab, EnrollmentState } from './canvas-state.ts';
import { discussionTopicJson } from './canvas-topic-json.ts';

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
  const include = {
    submission: includes(url).includes('submission'),
    allDates: includes(url).includes('all_dates'),
  };
  sendPage(
    ctx,
    rows.map(({ a }) => assignmentJson(ctx, a, include)),
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
  const { state } = ctx;
  const quizzes = [...state.quizzes.values()]
    .filter((q) => q.courseId === course.id && q.published)
    .sort((a, b) => a.id - b.id);
  sendPage(
    ctx,
    quizzes.map((q) => quizJson(ctx, q)),
  );
}

function listDiscussions(ctx: RouteContext, course: CanvasCourse): void {
  const { state } = ctx;
  const topics = [...state.discussions.values()]
    .filter((d) => d.courseId === course.id && d.published)
    .sort((a, b) => b.id - a.id);
  sendPage(
    ctx,
    topics.map((d) => discussionTopicJson(ctx, d)),
  );
}
