import { includes, type RouteContext } from './canvas-http.ts';
import { uuidOf } from './canvas-json-values.ts';
import type { CanvasCourse } from './canvas-state.ts';

// Canvas's built-in role ids (the account's base roles).
const ROLE_IDS: Record<string, number> = { student: 3, teacher: 4, ta: 5, designer: 6, observer: 7 };

/**
 * A course with every field of the live capture kanbasu course_response.json
 * (https://canvas.instructure.com/doc/api/courses.html): `term` with `include[]=term` (the
 * account's term, shared by the courses of that term), `syllabus_body`, `teachers` and
 * `image_download_url` (`include[]=course_image`) when asked for.
 */
export function courseJson(ctx: RouteContext, c: CanvasCourse): Record<string, unknown> {
  const { origin, state, user } = ctx;
  const enrollment = state.enrollmentOf(user.id, c.id);
  const include = includes(ctx.url);
  const uuid = uuidOf('course', c.id);
  return {
    id: ctx.id(c.id),
    name: c.name,
    account_id: ctx.id(1),
    uuid,
    start_at: c.term?.startAt ?? null,
    grading_standard_id: null,
    is_public: false,
    created_at: c.createdAt,
    course_code: c.courseCode,
    default_view: 'modules',
    root_account_id: ctx.id(1),
    enrollment_term_id: c.term ? ctx.id(c.term.id) : ctx.id(1),
    license: 'private',
    grade_passback_setting: null,
    end_at: c.term?.endAt ?? null,
    public_syllabus: false,
    public_syllabus_to_auth: false,
    storage_quota_mb: 1000,
    is_public_to_auth_users: false,
    homeroom_course: false,
    course_color: null,
    friendly_name: null,
    apply_assignment_group_weights: false,
    calendar: { ics: `${origin}/feeds/calendars/course_${uuid}.ics` },
    time_zone: c.timeZone,
    blueprint: false,
    template: false,
    enrollments: [
      {
        type: enrollment.type,
        role: `${enrollment.type[0]?.toUpperCase()}${enrollment.type.slice(1)}Enrollment`,
        role_id: ROLE_IDS[enrollment.type] ?? 3,
        user_id: ctx.id(user.id),
        enrollment_state: enrollment.state,
      },
    ],
    hide_final_grades: false,
    workflow_state: enrollment.state === 'completed' ? 'completed' : 'available',
    restrict_enrollments_to_course_dates: false,
    ...(include.includes('teachers')
      ? {
          teachers: [
            {
              id: ctx.id(c.teacher.id),
              display_name: c.teacher.name,
              avatar_image_url: `${origin}/images/messages/avatar-50.png`,
              html_url: `${origin}/courses/${c.id}/users/${c.teacher.id}`,
            },
          ],
        }
      : {}),
    ...(include.includes('syllabus_body') ? { syllabus_body: c.syllabusBody } : {}),
    ...(include.includes('term')
      ? {
          term: c.term
            ? {
                id: ctx.id(c.term.id),
                name: c.term.name,
                start_at: c.term.startAt,
                end_at: c.term.endAt,
                created_at: c.createdAt,
                workflow_state: 'active',
                grading_period_group_id: null,
              }
            : null,
        }
      : {}),
    ...(include.includes('course_image') ? { image_download_url: null } : {}),
  };
}
