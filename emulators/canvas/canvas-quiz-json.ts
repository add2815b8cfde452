import type { RouteContext } from './canvas-http.ts';
import { escapeHtml } from './canvas-json-values.ts';
import type { CanvasQuiz } from './canvas-state.ts';

/**
 * A quiz with the fields of Canvas's Quiz object (https://canvas.instructure.com/doc/api/quizzes.html;
 * no live capture has one) and `assignment_id`, which Canvas sends beside them: the student's
 * due date and the assignment's points for a graded quiz, the quiz's own for a practice quiz.
 */
export function quizJson(ctx: RouteContext, q: CanvasQuiz): Record<string, unknown> {
  const { state, user, origin } = ctx;
  const assignment = q.assignmentId === null ? undefined : state.assignments.get(q.assignmentId);
  const dueAt = assignment ? state.dueAtFor(assignment, user.id) : q.dueAt;
  const html = `${origin}/courses/${q.courseId}/quizzes/${q.id}`;
  return {
    id: ctx.id(q.id),
    title: q.title,
    html_url: html,
    mobile_url: `${html}?force_user=1&persist_headless=1`,
    preview_url: `${html}/take?preview=1`,
    description: `<p>${escapeHtml(q.title)}</p>`,
    quiz_type: q.quizType,
    assignment_group_id: assignment ? ctx.id(state.courses.get(q.courseId)?.assignmentGroupId ?? 0) : null,
    time_limit: null,
    shuffle_answers: false,
    hide_results: null,
    show_correct_answers: true,
    show_correct_answers_last_attempt: false,
    show_correct_answers_at: null,
    hide_correct_answers_at: null,
    one_time_results: false,
    scoring_policy: 'keep_highest',
    allowed_attempts: 1,
    one_question_at_a_time: false,
    question_count: 10,
    points_possible: assignment ? assignment.pointsPossible : q.pointsPossible,
    cant_go_back: false,
    access_code: null,
    ip_filter: null,
    due_at: dueAt,
    lock_at: null,
    unlock_at: null,
    published: true,
    unpublishable: false,
    locked_for_user: false,
    speedgrader_url: null,
    quiz_extensions_url: `/courses/${q.courseId}/quizzes/${q.id}/quiz_extensions`,
    permissions: { read: true, submit: true, create: false, manage: false, read_statistics: false },
    all_dates: [{ due_at: dueAt, unlock_at: null, lock_at: null, base: true }],
    version_number: 1,
    question_types: ['multiple_choice_question'],
    anonymous_submissions: false,
    assignment_id: assignment ? ctx.id(assignment.id) : null,
  };
}
