import { beforeAll, describe, expect, it } from 'vitest';
import { canvasGetter, enrollAda, useCanvasEmulator } from '../support/canvas.ts';

// Where the emulator answered differently from Canvas (issue 12, "The Canvas emulator"): each
// test names the Canvas source or documentation its expectation comes from.

const emulator = useCanvasEmulator({ seed: 'empty', per: 'file' });
let token = '';
let userId = 0;
let course = 0;
const ids: Record<string, number> = {};

beforeAll(() => {
  const c = emulator.control;
  ({ userId, token, course } = enrollAda(c));
  ids.submitted = c.addAssignment(course, { name: 'Submitted', dueAt: '2026-12-05T17:00:00Z' });
  c.submit(userId, ids.submitted);
  ids.graded = c.addAssignment(course, { name: 'Graded', dueAt: '2026-11-20T17:00:00Z' });
  c.submit(userId, ids.graded, 'graded');
  ids.open = c.addAssignment(course, { name: 'Open', dueAt: '2026-12-06T17:00:00Z' });
  const talk = c.addDiscussion(course, { title: 'Talk', graded: true, dueAt: '2026-12-07T18:00:00Z' });
  ids.talk = talk.id;
  ids.talkAssignment = talk.assignmentId ?? 0;
  c.submit(userId, ids.talkAssignment);
  const quiz = c.addQuiz(course, { title: 'Quiz', dueAt: '2026-12-08T15:00:00Z' });
  ids.quiz = quiz.id;
  c.submit(userId, quiz.assignmentId ?? 0, 'graded');
  // 17:00 in Chicago: a timed deadline, whose all_day_date is still its local date.
  ids.timed = c.addAssignment(course, { name: 'Timed', dueAt: '2026-12-10T23:00:00Z' });
  // 23:59:00 in Chicago is all-day for Canvas, seconds or not.
  ids.minute = c.addAssignment(course, { name: 'Minute', dueAt: '2026-12-12T05:59:00Z' });
  ids.event = c.addCalendarEvent(course, {
    title: 'Lecture',
    startAt: '2026-12-09T16:00:00Z',
    endAt: '2026-12-09T17:00:00Z',
    allDay: false,
    allDayDate: null,
  });
});

const get = canvasGetter(emulator, () => token, 'parity-test');
type Item = { plannable_type: string; plannable_id: number; html_url: string };
const WINDOW = 'start_date=2026-11-01&end_date=2026-12-31&per_page=100';

describe('authentication errors', () => {
  // lib/authentication_methods.rb `render_json_unauthorized`: no current user → 401
  // "unauthenticated" with the Bearer challenge (`add_www_authenticate_header`).
  it('answers a request without a token as unauthenticated, with the Bearer challenge', async () => {
    const res = await fetch(`${emulator.url}/api/v1/users/self`, { headers: { 'user-agent': 'x' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="canvas-lms"');
    expect(await res.json()).toEqual({
      status: 'unauthenticated',
      errors: [{ message: 'user authorization required' }],
    });
  });

  // `AuthenticationMethods.access_token`: only the exact scheme "Bearer" carries a token (else
  // the `access_token` parameter).
  it('reads the token as Canvas does: Bearer header, else access_token; other schemes are no token', async () => {
    const basic = await fetch(`${emulator.url}/api/v1/users/self`, {
      headers: { authorization: `Basic ${token}`, 'user-agent': 'x' },
    });
    expect(((await basic.json()) as { status?: string }).status).toBe('unauthenticated');
    const param = await fetch(`${emulator.url}/api/v1/users/self?access_token=${encodeURIComponent(token)}`, {
      headers: { 'user-agent': 'x' },
    });
    expect(param.status).toBe(200);
    // The scheme is compared exactly (`header_parts[0] == "Bearer"`).
    const lower = await fetch(`${emulator.url}/api/v1/users/self`, {
      headers: { authorization: `bearer ${token}`, 'user-agent': 'x' },
    });
    expect(((await lower.json()) as { status?: string }).status).toBe('unauthenticated');
  });
});

describe('planner html_url', () => {
  const plannerItems = async () => (await (await get(`/api/v1/planner/items?${WINDOW}`)).json()) as Item[];

  // lib/api/v1/planner_item.rb `assignment_html_url` / `discussion_topic_html_url`: submitted,
  // graded or commented work links to `context_assignment_submission_url(assignment, user)`;
  // a quiz always links to the quiz. planners.json (kanbasu) shows the relative form.
  it('links submitted or graded work to the submission, open work and quizzes to the item', async () => {
    const list = await plannerItems();
    const url = (type: string, id: number) =>
      list.find((i) => i.plannable_type === type && i.plannable_id === id)?.html_url;
    expect(url('assignment', ids.submitted ?? 0)).toBe(
      `/courses/${course}/assignments/${ids.submitted}/submissions/${userId}`,
    );
    expect(url('assignment', ids.graded ?? 0)).toBe(
      `/courses/${course}/assignments/${ids.graded}/submissions/${userId}`,
    );
    expect(url('discussion_topic', ids.talk ?? 0)).toBe(
      `/courses/${course}/assignments/${ids.talkAssignment}/submissions/${userId}`,
    );
    expect(url('assignment', ids.open ?? 0)).toBe(`/courses/${course}/assignments/${ids.open}`);
    expect(url('quiz', ids.quiz ?? 0)).toBe(`/courses/${course}/quizzes/${ids.quiz}`);
  });

  // lib/api/v1/planner_item.rb: a calendar event's html_url is
  // `calendar_url_for(item.effective_context, event: item)`, the calendar page.
  it('links a calendar event to the calendar page with the event open, not to the API', async () => {
    const event = (await plannerItems()).find((i) => i.plannable_type === 'calendar_event');
    expect(event?.html_url).toBe(`/calendar?event_id=${ids.event}&include_contexts=course_${course}`);
  });
});

describe('planner plannable', () => {
  // lib/api/v1/planner_item.rb `plannable_json`: API_PLANNABLE_FIELDS (id, title, todo_date,
  // created_at, updated_at, unread_count, read_state …) plus GRADABLE_FIELDS (assignment_id,
  // points_possible, due_at) for graded work and CALENDAR_PLANNABLE_FIELDS for events.
  it('carries the fields plannable_json slices for each kind', async () => {
    const list = (await (await get(`/api/v1/planner/items?${WINDOW}`)).json()) as Array<{
      plannable_type: string;
      plannable: Record<string, unknown>;
    }>;
    const keysOf = (type: string) =>
      Object.keys(list.find((i) => i.plannable_type === type)?.plannable ?? {});
    const common = ['id', 'title', 'created_at', 'updated_at'];
    expect(keysOf('assignment')).toEqual(expect.arrayContaining([...common, 'points_possible', 'due_at']));
    expect(keysOf('quiz')).toEqual(
      expect.arrayContaining([...common, 'assignment_id', 'points_possible', 'due_at']),
    );
    expect(keysOf('discussion_topic')).toEqual(
      expect.arrayContaining([
        ...common,
        'assignment_id',
        'due_at',
        'todo_date',
        'unread_count',
        'read_state',
      ]),
    );
    expect(keysOf('calendar_event')).toEqual(
      expect.arrayContaining([
        ...common,
        'location_name',
        'location_address',
        'description',
        'all_day',
        'start_at',
        'end_at',
      ]),
    );
  });
});

describe('assignment entries of /calendar_events', () => {
  // app/models/assignment.rb `Assignment.all_day_interpretation`: all_day when the local time
  // is 23:59; all_day_date is the due date's local date either way.
  it('gives every dated assignment its local due date as all_day_date; all-day only at 23:59', async () => {
    const list = (await (
      await get(
        `/api/v1/calendar_events?type=assignment&all_events=true&per_page=100&context_codes[]=course_${course}`,
      )
    ).json()) as Array<{ id: string; all_day: boolean; all_day_date: string | null }>;
    const entry = (id: number | undefined) => list.find((e) => e.id === `assignment_${id}`);
    expect(entry(ids.timed)).toMatchObject({ all_day: false, all_day_date: '2026-12-10' });
    expect(entry(ids.minute)).toMatchObject({ all_day: true, all_day_date: '2026-12-11' });
    for (const e of list) expect(e.all_day_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('pagination parameters', () => {
  // gems/bookmarked_collection/lib/bookmarked_collection/collection.rb `page_to_bookmark`:
  // an undecodable bookmark is rescued to nil, which is the first page.
  it('serves the first page for an undecodable bookmark instead of refusing it', async () => {
    const first = await get('/api/v1/planner/items?start_date=2026-11-01&end_date=2026-12-31&per_page=2');
    const broken = await get(
      '/api/v1/planner/items?start_date=2026-11-01&end_date=2026-12-31&per_page=2&page=bookmark:%%%not-json',
    );
    expect(broken.status).toBe(200);
    expect(await broken.json()).toEqual(await first.json());
    const wrongShape = await get(
      `/api/v1/planner/items?start_date=2026-11-01&end_date=2026-12-31&per_page=2&page=bookmark:${Buffer.from('{"a":1}').toString('base64url')}`,
    );
    expect(wrongShape.status).toBe(200);
  });

  // lib/api.rb `Api.per_page_for`: `[[per_page.to_i, 1].max, max].min`; Ruby's to_i reads a
  // leading integer and gives 0 for none, so "abc" is 1 and "12abc" is 12.
  it('reads per_page with Ruby to_i: "abc" is 1, "3abc" is 3', async () => {
    for (const [perPage, size] of [
      ['abc', 1],
      ['3abc', 3],
      ['', 1],
    ] as const) {
      const page = await get(
        `/api/v1/planner/items?${WINDOW.replace('per_page=100', `per_page=${perPage}`)}`,
      );
      expect(((await page.json()) as unknown[]).length, perPage).toBe(size);
      expect(page.headers.get('link')).toContain(`per_page=${size}`);
    }
  });
});

describe('assignments', () => {
  const assignments = async (query: string) =>
    (await (await get(`/api/v1/courses/${course}/assignments?per_page=100&${query}`)).json()) as Array<
      Record<string, unknown> & { id: number }
    >;

  // lib/api/v1/assignment.rb (`include_all_dates` → `dates_hash_visible_to(user)`) and
  // DatesOverridable#dates_hash_visible_to (canvas-lms): a student sees their own override, or
  // else the base dates marked `base: true`; each entry sliced to id, due/unlock/lock_at,
  // title, base, set_type, set_id. https://canvas.instructure.com/doc/api/assignments.html
  it('honours include[]=all_dates: the base dates, or the student’s own override', async () => {
    const extended = emulator.control.addAssignment(course, {
      name: 'Extended',
      dueAt: '2026-12-14T17:00:00Z',
    });
    emulator.control.setOverride(extended, userId, '2026-12-16T17:00:00Z');
    const list = await assignments('include[]=all_dates');
    expect(list.find((a) => a.id === ids.open)?.all_dates).toEqual([
      { due_at: '2026-12-06T17:00:00Z', unlock_at: null, lock_at: null, base: true },
    ]);
    expect(list.find((a) => a.id === extended)?.all_dates).toEqual([
      {
        id: expect.any(Number),
        due_at: '2026-12-16T17:00:00Z',
        unlock_at: null,
        lock_at: null,
        title: '1 student',
        set_type: 'ADHOC',
        set_id: null,
      },
    ]);
    expect((await assignments('')).some((a) => 'all_dates' in a)).toBe(false);
  });

  // lib/api/v1/assignment.rb embeds the topic with `discussion_topic_api_json(...,
  // include_assignment: false)`: the whole topic, without the assignment it sits in.
  it('embeds the whole discussion topic in its assignment, without the assignment again', async () => {
    const talk = (await assignments('')).find((a) => a.id === ids.talkAssignment);
    const topic = talk?.discussion_topic as Record<string, unknown> | undefined;
    expect(topic).toMatchObject({ id: ids.talk, title: 'Talk', assignment_id: ids.talkAssignment });
    expect(topic).not.toHaveProperty('assignment');
    expect(Object.keys(topic ?? {}).length).toBeGreaterThan(40);
  });

  // kanbasu assignments.json: of five assignments asked for with include[]=submission, only one
  // carries a `submission`. Work turned in, and work past due (missing), have a row; open work
  // due later has none.
  it('attaches a submission only where one exists', async () => {
    const list = await assignments('include[]=submission');
    const of = (id: number | undefined) => list.find((a) => a.id === id);
    expect(of(ids.open)).not.toHaveProperty('submission');
    expect(of(ids.submitted)?.submission).toMatchObject({ workflow_state: 'submitted', missing: false });
    expect(of(ids.graded)?.submission).toMatchObject({ workflow_state: 'graded', grade: expect.any(String) });
    const overdue = emulator.control.addAssignment(course, {
      name: 'Overdue',
      dueAt: '2026-11-30T17:00:00Z',
    });
    const again = await assignments('include[]=submission');
    expect(again.find((a) => a.id === overdue)?.submission).toMatchObject({
      workflow_state: 'unsubmitted',
      missing: true,
      seconds_late: 22 * 3600,
    });
  });
});

// Objects no live capture has: their keys are those Canvas's API documentation lists.
describe('documented fields', () => {
  const keys = (value: unknown) => Object.keys(value as object).sort();

  // https://canvas.instructure.com/doc/api/quizzes.html (Quiz object), plus assignment_id.
  it('quizzes carry the fields of the Quiz object', async () => {
    const [quiz] = (await (await get(`/api/v1/courses/${course}/quizzes`)).json()) as unknown[];
    expect(keys(quiz)).toEqual(
      [
        'id',
        'title',
        'html_url',
        'mobile_url',
        'preview_url',
        'description',
        'quiz_type',
        'assignment_group_id',
        'time_limit',
        'shuffle_answers',
        'hide_results',
        'show_correct_answers',
        'show_correct_answers_last_attempt',
        'show_correct_answers_at',
        'hide_correct_answers_at',
        'one_time_results',
        'scoring_policy',
        'allowed_attempts',
        'one_question_at_a_time',
        'question_count',
        'points_possible',
        'cant_go_back',
        'access_code',
        'ip_filter',
        'due_at',
        'lock_at',
        'unlock_at',
        'published',
        'unpublishable',
        'locked_for_user',
        'speedgrader_url',
        'quiz_extensions_url',
        'permissions',
        'all_dates',
        'version_number',
        'question_types',
        'anonymous_submissions',
        'assignment_id',
      ].sort(),
    );
  });

  // https://canvas.instructure.com/doc/api/calendar_events.html (CalendarEvent, AssignmentEvent).
  it('calendar events carry the fields of the CalendarEvent and AssignmentEvent objects', async () => {
    const codes = `all_events=true&context_codes[]=course_${course}`;
    const [event] = (await (await get(`/api/v1/calendar_events?${codes}`)).json()) as unknown[];
    expect(keys(event)).toEqual(
      [
        'id',
        'title',
        'start_at',
        'end_at',
        'description',
        'location_name',
        'location_address',
        'context_code',
        'effective_context_code',
        'context_name',
        'all_context_codes',
        'workflow_state',
        'hidden',
        'parent_event_id',
        'child_events_count',
        'child_events',
        'url',
        'html_url',
        'all_day_date',
        'all_day',
        'created_at',
        'updated_at',
        'appointment_group_id',
        'appointment_group_url',
        'own_reservation',
        'reserve_url',
        'reserved',
        'participant_type',
        'participants_per_appointment',
        'available_slots',
        'user',
        'group',
        'important_dates',
        'series_uuid',
        'rrule',
        'series_head',
        'series_natural_language',
        'blackout_date',
        'type',
      ].sort(),
    );
    const [entry] = (await (await get(`/api/v1/calendar_events?type=assignment&${codes}`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(keys(entry)).toEqual(
      [
        'id',
        'title',
        'start_at',
        'end_at',
        'description',
        'context_code',
        'context_name',
        'workflow_state',
        'url',
        'html_url',
        'all_day_date',
        'all_day',
        'created_at',
        'updated_at',
        'important_dates',
        'type',
        'assignment',
      ].sort(),
    );
    expect(entry?.assignment).toMatchObject({ id: expect.any(Number), due_at: expect.any(String) });
  });

  // https://canvas.instructure.com/doc/api/users.html (Profile object).
  it('the profile carries the fields of the Profile object', async () => {
    const profile = await (await get('/api/v1/users/self/profile')).json();
    expect(keys(profile)).toEqual(
      [
        'id',
        'name',
        'short_name',
        'sortable_name',
        'title',
        'bio',
        'pronunciation',
        'primary_email',
        'login_id',
        'sis_user_id',
        'lti_user_id',
        'avatar_url',
        'calendar',
        'time_zone',
        'locale',
        'k5_user',
        'use_classic_font_in_k5',
      ].sort(),
    );
    expect(profile).toMatchObject({ time_zone: 'America/Chicago' });
  });
});

describe('enrollment terms', () => {
  // Terms belong to the account (https://canvas.instructure.com/doc/api/enrollment_terms.html):
  // the courses of one term point at the same term, as kanbasu's courses share term 9.
  it('are shared across the account’s courses of the same term', async () => {
    const term = { name: 'Spring 2027', startAt: '2027-01-11T06:00:00Z', endAt: '2027-05-14T05:00:00Z' };
    const a = emulator.control.createCourse({ name: 'A', courseCode: 'A 1', term });
    const b = emulator.control.createCourse({ name: 'B', courseCode: 'B 1', term: { ...term } });
    emulator.control.enroll(userId, a);
    emulator.control.enroll(userId, b);
    const courses = (await (await get('/api/v1/courses?include[]=term&per_page=100')).json()) as Array<{
      id: number;
      enrollment_term_id: number;
      term: { id: number };
    }>;
    const [ca, cb] = [a, b].map((id) => courses.find((c) => c.id === id));
    expect(ca?.enrollment_term_id).toBe(cb?.enrollment_term_id);
    expect(ca?.term.id).toBe(cb?.term.id);
  });
});
