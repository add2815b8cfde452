import { Temporal } from 'temporal-polyfill';
import { assignmentEventJson, calendarEventJson } from './canvas-event-json.ts';
import { badRequest, type RouteContext, sendBookmarkPage, sendPage } from './canvas-http.ts';

/** `/planner/items` and `/calendar_events`. */
export function handlePlannerRoutes(ctx: RouteContext): boolean {
  if (ctx.url.pathname === '/api/v1/planner/items') {
    plannerItems(ctx);
    return true;
  }
  if (ctx.url.pathname === '/api/v1/calendar_events') {
    calendarEvents(ctx);
    return true;
  }
  return false;
}

interface PlannerRow {
  date: string;
  id: number;
  item: Record<string, unknown>;
  done: boolean;
  newActivity: boolean;
}

function plannerItems(ctx: RouteContext): void {
  const defaults = plannerDefaults(ctx);
  const start = parseBound(ctx, 'start_date', defaults.start);
  const end = parseBound(ctx, 'end_date', defaults.end);
  if (start === undefined || end === undefined) return;
  const filter = ctx.url.searchParams.get('filter');
  if (filter !== null && !['incomplete_items', 'new_activity'].includes(filter)) {
    badRequest(ctx, 'filter must be one of incomplete_items, new_activity');
    return;
  }
  const rows = plannerRows(ctx)
    .filter((r) => Date.parse(r.date) >= start && Date.parse(r.date) <= end)
    .filter((r) =>
      filter === 'incomplete_items' ? !r.done : filter === 'new_activity' ? r.newActivity : true,
    )
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id - b.id));
  sendBookmarkPage(
    ctx,
    rows,
    (r) => [r.date, r.id],
    (r) => r.item,
  );
}

/**
 * Canvas's planner window when bounds are missing (`PlannerController#set_date_range`): with
 * neither, from the start of the day two weeks ago to the start of the day two weeks ahead;
 * with one, the missing one is the start of the day ten years back or ahead. Days and years
 * are the user's (Canvas runs a request in the user's time zone).
 */
function plannerDefaults(ctx: RouteContext): { start: string; end: string } {
  const given = (name: string) => (ctx.url.searchParams.get(name) ?? '') !== '';
  const now = Temporal.Instant.fromEpochMilliseconds(ctx.now).toZonedDateTimeISO(ctx.user.timeZone);
  const day = (at: Temporal.ZonedDateTime) => at.startOfDay().toInstant().toString();
  if (!given('start_date') && !given('end_date'))
    return { start: day(now.subtract({ weeks: 2 })), end: day(now.add({ weeks: 2 })) };
  return { start: day(now.subtract({ years: 10 })), end: day(now.add({ years: 10 })) };
}

/**
 * Every planner item of the student: work due in their open courses, to-dos and course events.
 * A `plannable` has the fields `plannable_json` slices (lib/api/v1/planner_item.rb:
 * id, title, todo_date, created_at, updated_at, unread_count/read_state for topics,
 * assignment_id/points_possible/due_at for graded work, all_day/start_at/end_at/location/
 * description for events) and, as in the kanbasu capture, the item's `html_url`.
 */
function plannerRows(ctx: RouteContext): PlannerRow[] {
  const { state, user, origin } = ctx;
  const open = new Set(state.openCoursesOf(user.id).map((c) => c.id));
  const rows: PlannerRow[] = [];
  const createdAt = (courseId: number) => state.courses.get(courseId)?.createdAt ?? null;
  const base = (courseId: number, type: string, plannableId: number, date: string) => ({
    context_type: 'Course',
    course_id: ctx.id(courseId),
    plannable_id: ctx.id(plannableId),
    planner_override: null,
    new_activity: state.newActivity.has(`${user.id}:${type}:${plannableId}`),
    plannable_date: date,
    plannable_type: type,
  });
  for (const a of state.assignments.values()) {
    const dueAt = state.dueAtFor(a, user.id);
    if (!open.has(a.courseId) || !a.published || dueAt === null) continue;
    const date = normalize(dueAt);
    const work = state.submissions.get(`${user.id}:${a.id}`);
    const submissions = {
      submitted: work !== undefined,
      excused: false,
      graded: work === 'graded',
      late: false,
      missing: work === undefined && Date.parse(dueAt) < ctx.now,
      needs_grading: work === 'submitted',
      has_feedback: false,
    };
    const quiz = state.quizOf(a.id);
    const topic = state.discussionOf(a.id);
    const [type, plannableId, path] = quiz
      ? ['quiz', quiz.id, `quizzes/${quiz.id}`]
      : topic
        ? ['discussion_topic', topic.id, `discussion_topics/${topic.id}`]
        : ['assignment', a.id, `assignments/${a.id}`];
    const plannable = {
      id: ctx.id(plannableId),
      title: a.name,
      ...(type === 'assignment' ? {} : { assignment_id: ctx.id(a.id) }),
      ...(type === 'discussion_topic'
        ? {
            todo_date: null,
            unread_count: 0,
            read_state: 'read',
            assignment: { id: ctx.id(a.id), due_at: dueAt },
          }
        : {}),
      due_at: dueAt,
      points_possible: a.pointsPossible,
      created_at: a.createdAt,
      updated_at: a.createdAt,
      html_url: `${origin}/courses/${a.courseId}/${path}`,
    };
    // Submitted or graded work links to the student's submission, not the assignment; a quiz
    // always links to the quiz (canvas-lms lib/api/v1/planner_item.rb, `assignment_feedback_url`:
    // `context_assignment_submission_url(assignment, user)`).
    const htmlUrl =
      type !== 'quiz' && (submissions.submitted || submissions.graded || submissions.has_feedback)
        ? `/courses/${a.courseId}/assignments/${a.id}/submissions/${user.id}`
        : `/courses/${a.courseId}/${path}`;
    rows.push({
      date,
      id: a.id,
      done: work !== undefined,
      newActivity: state.newActivity.has(`${user.id}:${type}:${plannableId}`),
      item: {
        ...base(a.courseId, type, plannableId, date),
        submissions,
        plannable,
        html_url: htmlUrl,
      },
    });
  }
  for (const d of state.discussions.values()) {
    if (!open.has(d.courseId) || !d.published || d.assignmentId !== null || d.todoDate === null) continue;
    const date = normalize(d.todoDate);
    rows.push({
      date,
      id: d.id,
      done: false,
      newActivity: state.newActivity.has(`${user.id}:discussion_topic:${d.id}`),
      item: {
        ...base(d.courseId, 'discussion_topic', d.id, date),
        submissions: false,
        plannable: {
          id: ctx.id(d.id),
          title: d.title,
          assignment_id: null,
          todo_date: d.todoDate,
          unread_count: 0,
          read_state: 'read',
          created_at: createdAt(d.courseId),
          updated_at: createdAt(d.courseId),
          html_url: `${origin}/courses/${d.courseId}/discussion_topics/${d.id}`,
        },
        html_url: `/courses/${d.courseId}/discussion_topics/${d.id}`,
      },
    });
  }
  // Canvas's `ungraded_quiz_collection`: a published quiz no assignment backs, by its due date.
  for (const q of state.quizzes.values()) {
    if (!open.has(q.courseId) || !q.published || q.assignmentId !== null || q.dueAt === null) continue;
    const date = normalize(q.dueAt);
    rows.push({
      date,
      id: q.id,
      done: false,
      newActivity: state.newActivity.has(`${user.id}:quiz:${q.id}`),
      item: {
        ...base(q.courseId, 'quiz', q.id, date),
        submissions: false,
        plannable: {
          id: ctx.id(q.id),
          title: q.title,
          assignment_id: null,
          points_possible: q.pointsPossible,
          due_at: q.dueAt,
          created_at: createdAt(q.courseId),
          updated_at: createdAt(q.courseId),
        },
        html_url: `/courses/${q.courseId}/quizzes/${q.id}`,
      },
    });
  }
  for (const e of state.calendarEvents.values()) {
    if (!open.has(e.courseId)) continue;
    const date = normalize(e.startAt);
    rows.push({
      date,
      id: e.id,
      done: false,
      newActivity: false,
      item: {
        ...base(e.courseId, 'calendar_event', e.id, date),
        submissions: false,
        plannable: {
          id: ctx.id(e.id),
          title: e.title,
          location_name: null,
          location_address: null,
          description: null,
          all_day: e.allDay,
          start_at: e.startAt,
          end_at: e.endAt,
          created_at: createdAt(e.courseId),
          updated_at: createdAt(e.courseId),
        },
        // `calendar_url_for(item.effective_context, event: item)` (lib/api/v1/planner_item.rb):
        // the calendar page with the event open, relative like the planner's other links.
        html_url: `/calendar?event_id=${e.id}&include_contexts=course_${e.courseId}`,
      },
    });
  }
  return rows;
}

/**
 * `/calendar_events`: `type=event` (default) or `assignment`, at most 10 `context_codes[]`
 * honoured; `all_events=true`, else `start_date`/`end_date`, else today in the user's zone;
 * `undated=true` lists only undated items.
 */
function calendarEvents(ctx: RouteContext): void {
  const { url, state, user } = ctx;
  const type = url.searchParams.get('type') ?? 'event';
  if (type !== 'event' && type !== 'assignment') {
    badRequest(ctx, 'invalid type');
    return;
  }
  const open = new Set(state.openCoursesOf(user.id).map((c) => c.id));
  const contexts = url.searchParams
    .getAll('context_codes[]')
    .slice(0, 10)
    .map((code) => Number(/^course_(\d+)$/.exec(code)?.[1]))
    .filter((id) => open.has(id));
  const undated = url.searchParams.get('undated') === 'true';
  const allEvents = url.searchParams.get('all_events') === 'true';
  const today = Temporal.Instant.fromEpochMilliseconds(ctx.now)
    .toZonedDateTimeISO(user.timeZone)
    .startOfDay();
  const start = allEvents ? -Infinity : parseBound(ctx, 'start_date', today.toInstant().toString());
  const end = allEvents
    ? Infinity
    : parseBound(ctx, 'end_date', today.add({ days: 1 }).toInstant().toString());
  if (start === undefined || end === undefined) return;
  const within = (from: string | null, to: string | null) =>
    undated ? from === null : from !== null && Date.parse(to ?? from) >= start && Date.parse(from) <= end;

  if (type === 'event') {
    const events = [...state.calendarEvents.values()]
      .filter((e) => contexts.includes(e.courseId) && within(e.startAt, e.endAt))
      .sort((a, b) => Date.parse(a.startAt) - Date.parse(b.startAt) || a.id - b.id);
    sendPage(
      ctx,
      events.map((e) => calendarEventJson(ctx, e)),
    );
    return;
  }
  const assignments = [...state.assignments.values()]
    .filter((a) => a.published && contexts.includes(a.courseId))
    .map((a) => ({ a, dueAt: state.dueAtFor(a, user.id) }))
    .filter(({ dueAt }) => within(dueAt, dueAt))
    .sort((x, y) => Date.parse(x.dueAt ?? '') - Date.parse(y.dueAt ?? '') || x.a.id - y.a.id);
  sendPage(
    ctx,
    assignments.map(({ a, dueAt }) => assignmentEventJson(ctx, a, dueAt)),
  );
}

/** A `yyyy-mm-dd` (midnight in the user's zone) or ISO 8601 bound; answers 400 when unreadable. */
function parseBound(ctx: RouteContext, name: string, fallback: string): number | undefined {
  const raw = ctx.url.searchParams.get(name);
  if (raw === null || raw === '') return Date.parse(fallback);
  if (/^\d{4}-\d{2}-\d{2}$/.test(raw)) {
    try {
      return Temporal.PlainDate.from(raw).toZonedDateTime(ctx.user.timeZone).epochMilliseconds;
    } catch {
      // Falls through to the 400 below.
    }
  } else if (!Number.isNaN(Date.parse(raw))) return Date.parse(raw);
  badRequest(ctx, `Invalid date or invalid datetime for ${name}`);
  return undefined;
}

const normalize = (iso: string) => new Date(iso).toISOString().replace('.000Z', 'Z');
