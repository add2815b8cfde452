import { z } from 'zod';

/** Canvas's answers, as far as the due-items read needs them; unknown fields are ignored. */
const Id = z.union([z.string(), z.number()]).transform(String);
const Instant = z.iso.datetime({ offset: true });
const LocalDate = z.iso.date();

export const CourseSchema = z.object({
  id: Id,
  name: z.string().optional(),
  course_code: z.string().optional(),
  access_restricted_by_date: z.boolean().optional(),
  /** The course's IANA zone, when Canvas gives one (not every version does). */
  time_zone: z.string().nullable().optional(),
  syllabus_body: z.string().nullable().optional(),
  start_at: Instant.nullable().optional(),
  end_at: Instant.nullable().optional(),
  term: z
    .object({ start_at: Instant.nullable().optional(), end_at: Instant.nullable().optional() })
    .nullable()
    .optional(),
});
export type CanvasCourseJson = z.infer<typeof CourseSchema>;

export const ProfileSchema = z.object({ time_zone: z.string().nullable().optional() });

export const AssignmentSchema = z.object({
  id: Id,
  name: z.string(),
  due_at: Instant.nullable(),
  points_possible: z.number().nullable().optional(),
  html_url: z.string(),
  submission_types: z.array(z.string()).default([]),
  is_quiz_assignment: z.boolean().optional(),
  quiz_id: Id.optional(),
  discussion_topic: z.object({ id: Id }).optional(),
  submission: z.object({ workflow_state: z.string(), missing: z.boolean().optional() }).optional(),
});
export type CanvasAssignmentJson = z.infer<typeof AssignmentSchema>;

export const PlannerItemSchema = z.object({
  plannable_type: z.string(),
  plannable_id: Id,
  course_id: Id.nullable().optional(),
  plannable_date: Instant.nullable().optional(),
  submissions: z
    .union([
      z.literal(false),
      z.object({ submitted: z.boolean().optional(), missing: z.boolean().optional() }),
    ])
    .optional(),
  plannable: z.object({
    id: Id,
    title: z.string().optional(),
    assignment_id: Id.nullable().optional(),
    assignment: z.object({ id: Id }).nullable().optional(),
    /** The to-do date of an ungraded discussion or page (no assignment behind it). */
    todo_date: Instant.nullable().optional(),
    /** The student's due date of an ungraded (practice) quiz, and its points. */
    due_at: Instant.nullable().optional(),
    points_possible: z.number().nullable().optional(),
    html_url: z.string().optional(),
  }),
  html_url: z.string().optional(),
});
export type CanvasPlannerItemJson = z.infer<typeof PlannerItemSchema>;

export const CalendarEventSchema = z.object({
  id: Id,
  title: z.string(),
  start_at: Instant.nullable(),
  all_day: z.boolean().optional(),
  all_day_date: LocalDate.nullable().optional(),
  html_url: z.string(),
  context_code: z.string(),
  assignment: z.object({ id: Id, due_at: Instant.nullable().optional() }).nullable().optional(),
});
export type CanvasCalendarEventJson = z.infer<typeof CalendarEventSchema>;
