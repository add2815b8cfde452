import type { RouteContext } from './canvas-http.ts';
import { escapeHtml, secureParamsOf } from './canvas-json-values.ts';
import type { CanvasAssignment } from './canvas-state.ts';
import { discussionTopicJson } from './canvas-topic-json.ts';

/**
 * An assignment as the student sees it, with every field of Canvas's answer (the keys of the
 * live capture kanbasu assignments.json, https://canvas.instructure.com/doc/api/assignments.html):
 * the student's own due date, `submission` when asked for and one exists, `all_dates` when
 * asked for, `quiz_id` and `discussion_topic` when the assignment backs one.
 */
export function assignmentJson(
  ctx: RouteContext,
  a: CanvasAssignment,
  include: { submission: boolean; allDates: boolean },
): Record<string, unknown> {
  const { state, user, origin } = ctx;
  const dueAt = state.dueAtFor(a, user.id);
  const quiz = state.quizOf(a.id);
  const topic = state.discussionOf(a.id);
  const submission = include.submission ? submissionJson(ctx, a) : undefined;
  return {
    id: ctx.id(a.id),
    description: `<p>${escapeHtml(a.name)}: instructions and rubric.</p>`,
    due_at: dueAt,
    unlock_at: null,
    lock_at: null,
    points_possible: a.pointsPossible,
    grading_type: a.pointsPossible === null ? 'not_graded' : 'points',
    assignment_group_id: ctx.id(state.courses.get(a.courseId)?.assignmentGroupId ?? 0),
    grading_standard_id: null,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    peer_reviews: false,
    automatic_peer_reviews: false,
    position: a.position,
    grade_group_students_individually: false,
    anonymous_peer_reviews: false,
    group_category_id: null,
    post_to_sis: false,
    moderated_grading: false,
    omit_from_final_grade: false,
    intra_group_peer_reviews: false,
    anonymous_instructor_annotations: false,
    anonymous_grading: false,
    graders_anonymous_to_graders: false,
    grader_count: 0,
    grader_comments_visible_to_graders: true,
    final_grader_id: null,
    grader_names_visible_to_final_grader: true,
    secure_params: secureParamsOf(a.id),
    course_id: ctx.id(a.courseId),
    name: a.name,
    submission_types: a.submissionTypes,
    has_submitted_submissions: [...state.submissions.keys()].some((k) => k.endsWith(`:${a.id}`)),
    due_date_required: false,
    max_name_length: 255,
    in_closed_grading_period: false,
    is_quiz_assignment: quiz !== undefined,
    can_duplicate: quiz === undefined,
    original_assignment_id: null,
    original_assignment_name: null,
    workflow_state: 'published',
    muted: false,
    html_url: `${origin}/courses/${a.courseId}/assignments/${a.id}`,
    published: true,
    only_visible_to_overrides: false,
    locked_for_user: false,
    submissions_download_url: `${origin}/courses/${a.courseId}/assignments/${a.id}/submissions?zip=1`,
    anonymize_students: false,
    ...(quiz ? { quiz_id: ctx.id(quiz.id) } : {}),
    // The topic as Canvas embeds it, without the assignment it is embedded in
    // (`discussion_topic_api_json(..., include_assignment: false)`).
    ...(topic ? { discussion_topic: discussionTopicJson(ctx, topic, { withAssignment: false }) } : {}),
    ...(include.allDates ? { all_dates: allDatesJson(ctx, a) } : {}),
    ...(submission ? { submission } : {}),
  };
}

/**
 * `include[]=all_dates`: the dates visible to the student, as `dates_hash_visible_to` builds
 * them (canvas-lms DatesOverridable, `formatted_dates_hash`): their own override
 * (`id`, `title`, `set_type: "ADHOC"`) if they have one, else the base dates (`base: true`).
 */
function allDatesJson(ctx: RouteContext, a: CanvasAssignment): Array<Record<string, unknown>> {
  const { state, user } = ctx;
  const overrideId = state.overrideIds.get(`${a.id}:${user.id}`);
  if (a.overrides.has(user.id) && overrideId !== undefined)
    return [
      {
        id: ctx.id(overrideId),
        due_at: a.overrides.get(user.id) ?? null,
        unlock_at: null,
        lock_at: null,
        title: '1 student',
        set_type: 'ADHOC',
        set_id: null,
      },
    ];
  return [{ due_at: a.dueAt, unlock_at: null, lock_at: null, base: true }];
}

/**
 * The student's submission row, with the fields of kanbasu assignments.json's embedded one;
 * undefined when there is none. A row exists once the student turned work in or was graded,
 * or once the due date passed (the missing-submission check needs it), as the capture shows
 * rows only on some assignments.
 */
export function submissionJson(ctx: RouteContext, a: CanvasAssignment): Record<string, unknown> | undefined {
  const { state, user, origin, now } = ctx;
  const key = `${user.id}:${a.id}`;
  const work = state.submissions.get(key);
  const dueAt = state.dueAtFor(a, user.id);
  const pastDue = dueAt !== null && Date.parse(dueAt) < now;
  if (work === undefined && !pastDue) return undefined;
  const submittedAt = state.submittedAt.get(key) ?? null;
  const graded = work === 'graded';
  const grade = graded ? (a.pointsPossible === null ? 'complete' : String(a.pointsPossible)) : null;
  const score = graded ? (a.pointsPossible ?? 0) : null;
  const missing = work === undefined && pastDue;
  return {
    id: ctx.id(state.submissionId(user.id, a.id)),
    body: null,
    url: null,
    grade,
    score,
    submitted_at: submittedAt,
    assignment_id: ctx.id(a.id),
    user_id: ctx.id(user.id),
    submission_type: work === undefined ? null : (a.submissionTypes[0] ?? null),
    workflow_state: work ?? 'unsubmitted',
    grade_matches_current_submission: true,
    graded_at: graded ? submittedAt : null,
    grader_id: graded ? ctx.id(state.courses.get(a.courseId)?.teacher.id ?? 0) : null,
    attempt: work === undefined ? null : 1,
    cached_due_date: dueAt,
    excused: work === undefined ? null : false,
    late_policy_status: null,
    points_deducted: graded ? 0 : null,
    grading_period_id: null,
    late: false,
    missing,
    seconds_late: missing && dueAt !== null ? Math.floor((now - Date.parse(dueAt)) / 1000) : 0,
    entered_grade: grade,
    entered_score: score,
    preview_url: `${origin}/courses/${a.courseId}/assignments/${a.id}/submissions/${user.id}?preview=1&version=${work === undefined ? 0 : 1}`,
  };
}
