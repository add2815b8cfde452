import type { RouteContext } from './canvas-http.ts';
import { escapeHtml } from './canvas-json-values.ts';
import type { CanvasDiscussion } from './canvas-state.ts';

/**
 * A discussion topic as a student sees it, with every field of an ordinary (not announcement)
 * topic in the live capture kanbasu discussion_topics.json
 * (https://canvas.instructure.com/doc/api/discussion_topics.html). A graded topic also carries
 * its `assignment` (the student's due date), which the emulator has always sent.
 */
export function discussionTopicJson(
  ctx: RouteContext,
  d: CanvasDiscussion,
  options: { withAssignment: boolean } = { withAssignment: true },
): Record<string, unknown> {
  const { state, user, origin } = ctx;
  const assignment = d.assignmentId === null ? undefined : state.assignments.get(d.assignmentId);
  const course = state.courses.get(d.courseId);
  const postedAt = assignment?.createdAt ?? course?.createdAt ?? null;
  const url = `${origin}/courses/${d.courseId}/discussion_topics/${d.id}`;
  return {
    id: ctx.id(d.id),
    title: d.title,
    last_reply_at: postedAt,
    delayed_post_at: null,
    posted_at: postedAt,
    assignment_id: assignment ? ctx.id(assignment.id) : null,
    root_topic_id: null,
    position: null,
    podcast_has_student_posts: false,
    discussion_type: 'threaded',
    lock_at: null,
    allow_rating: false,
    only_graders_can_rate: false,
    sort_by_rating: false,
    is_section_specific: false,
    user_name: course?.teacher.name ?? null,
    discussion_subentry_count: 0,
    permissions: { attach: false, update: false, reply: true, delete: false },
    require_initial_post: null,
    user_can_see_posts: true,
    podcast_url: null,
    read_state: 'read',
    unread_count: 0,
    subscribed: false,
    topic_children: [],
    group_topic_children: [],
    attachments: [],
    published: true,
    can_unpublish: false,
    locked: false,
    can_lock: false,
    comments_disabled: false,
    author: course
      ? {
          id: ctx.id(course.teacher.id),
          display_name: course.teacher.name,
          avatar_image_url: `${origin}/images/messages/avatar-50.png`,
          html_url: `${origin}/courses/${d.courseId}/users/${course.teacher.id}`,
        }
      : {},
    html_url: url,
    url,
    pinned: false,
    group_category_id: null,
    can_group: true,
    locked_for_user: false,
    message: `<p>${escapeHtml(d.title)}</p>`,
    todo_date: d.todoDate,
    ...(assignment && options.withAssignment
      ? {
          assignment: {
            id: ctx.id(assignment.id),
            course_id: ctx.id(d.courseId),
            name: assignment.name,
            due_at: state.dueAtFor(assignment, user.id),
            points_possible: assignment.pointsPossible,
            submission_types: assignment.submissionTypes,
          },
        }
      : {}),
  };
}
