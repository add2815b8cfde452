import { assignmentJson } from './canvas-assignment-json.ts';
import type { RouteContext } from './canvas-http.ts';
import { escapeHtml } from './canvas-json-values.ts';
import type { CanvasAssignment, CanvasCalendarEvent } from './canvas-state.ts';

/**
 * A course calendar event with the fields of Canvas's CalendarEvent object
 * (https://canvas.instructure.com/doc/api/calendar_events.html; no live capture has one).
 */
export function calendarEventJson(ctx: RouteContext, e: CanvasCalendarEvent): Record<string, unknown> {
  const { origin, state } = ctx;
  const context = `course_${e.courseId}`;
  const createdAt = state.courses.get(e.courseId)?.createdAt ?? e.startAt;
  return {
    id: ctx.id(e.id),
    title: e.title,
    start_at: e.startAt,
    end_at: e.endAt,
    description: `<p>${escapeHtml(e.title)}</p>`,
    location_name: null,
    location_address: null,
    context_code: context,
    effective_context_code: null,
    context_name: state.courses.get(e.courseId)?.name ?? '',
    all_context_codes: context,
    workflow_state: 'active',
    hidden: false,
    parent_event_id: null,
    child_events_count: 0,
    child_events: [],
    url: `${origin}/api/v1/calendar_events/${e.id}`,
    html_url: `${origin}/calendar?event_id=${e.id}&include_contexts=${context}`,
    all_day_date: e.allDayDate,
    all_day: e.allDay,
    created_at: createdAt,
    updated_at: createdAt,
    appointment_group_id: null,
    appointment_group_url: null,
    own_reservation: false,
    reserve_url: null,
    reserved: false,
    participant_type: 'User',
    participants_per_appointment: null,
    available_slots: null,
    user: null,
    group: null,
    important_dates: false,
    series_uuid: null,
    rrule: null,
    series_head: null,
    series_natural_language: null,
    blackout_date: false,
    type: 'event',
  };
}

/**
 * An assignment's entry in `/calendar_events?type=assignment`, with the fields of Canvas's
 * AssignmentEvent object: `all_day_date` is the due date's local date in the course's zone,
 * `all_day` whether it is due at 23:59 there (`Assignment.all_day_interpretation`).
 */
export function assignmentEventJson(
  ctx: RouteContext,
  a: CanvasAssignment,
  dueAt: string | null,
): Record<string, unknown> {
  const { origin, state } = ctx;
  const { allDay, date } = state.allDayOf(dueAt, a.courseId);
  return {
    id: `assignment_${a.id}`,
    title: a.name,
    start_at: dueAt,
    end_at: dueAt,
    description: `<p>${escapeHtml(a.name)}: instructions and rubric.</p>`,
    context_code: `course_${a.courseId}`,
    context_name: state.courses.get(a.courseId)?.name ?? '',
    workflow_state: 'published',
    url: `${origin}/api/v1/calendar_events/assignment_${a.id}`,
    html_url: `${origin}/courses/${a.courseId}/assignments/${a.id}`,
    all_day_date: date,
    all_day: allDay,
    created_at: a.createdAt,
    updated_at: a.createdAt,
    important_dates: false,
    type: 'assignment',
    assignment: assignmentJson(ctx, a, { submission: false, allDates: false }),
  };
}
