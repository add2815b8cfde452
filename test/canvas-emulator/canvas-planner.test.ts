import { beforeAll, describe, expect, it } from 'vitest';
import { canvasGetter, enrollAda, useCanvasEmulator } from '../support/canvas.ts';

const emulator = useCanvasEmulator({ seed: 'empty', per: 'file' });
let token = '';
let userId = 0;
let course = 0;
const ids: Record<string, number> = {};

beforeAll(() => {
  const c = emulator.control;
  ({ userId, token, course } = enrollAda(c));
  // 23:59:59 in Chicago on Dec 3 is Dec 4 in UTC: an all-day deadline on Dec 3.
  ids.essay = c.addAssignment(course, { name: 'Essay', dueAt: '2026-12-04T05:59:59Z' });
  ids.lab = c.addAssignment(course, { name: 'Lab', dueAt: '2026-12-05T17:00:00Z' });
  c.submit(userId, ids.lab);
  ids.old = c.addAssignment(course, { name: 'Old', dueAt: '2026-09-01T17:00:00Z' });
  const quiz = c.addQuiz(course, { title: 'Quiz', dueAt: '2026-12-06T15:00:00Z' });
  ids.quiz = quiz.id;
  ids.quizAssignment = quiz.assignmentId ?? 0;
  const talk = c.addDiscussion(course, { title: 'Talk', graded: true, dueAt: '2026-12-07T18:00:00Z' });
  ids.talk = talk.id;
  ids.talkAssignment = talk.assignmentId ?? 0;
  ids.todo = c.addDiscussion(course, { title: 'To do', todoDate: '2026-12-08T15:00:00Z' }).id;
  ids.event = c.addCalendarEvent(course, {
    title: 'Reading day',
    startAt: '2026-12-09T06:00:00Z',
    endAt: '2026-12-09T06:00:00Z',
    allDay: true,
    allDayDate: '2026-12-09',
  });
  c.addAssignment(course, { name: 'Undated', dueAt: null });
});

const get = canvasGetter(emulator, () => token, 'planner-test');
type Item = { plannable_type: string; plannable_id: number; plannable: Record<string, unknown> } & Record<
  string,
  unknown
>;
const items = async (path: string) => (await (await get(path)).json()) as Item[];
const WINDOW = 'start_date=2026-11-01&end_date=2026-12-31';

describe('/planner/items', () => {
  it('lists the window’s work, to-dos and events in date order; a quiz or discussion names its assignment', async () => {
    const list = await items(`/api/v1/planner/items?${WINDOW}`);
    expect(list.map((i) => [i.plannable_type, i.plannable_id])).toEqual([
      ['assignment', ids.essay],
      ['assignment', ids.lab],
      ['quiz', ids.quiz],
      ['discussion_topic', ids.talk],
      ['discussion_topic', ids.todo],
      ['calendar_event', ids.event],
    ]);
    expect(list[2]?.plannable).toMatchObject({
      assignment_id: ids.quizAssignment,
      due_at: '2026-12-06T15:00:00Z',
    });
    expect(list[3]?.plannable).toMatchObject({
      assignment_id: ids.talkAssignment,
      assignment: { id: ids.talkAssignment, due_at: '2026-12-07T18:00:00Z' },
    });
    expect(list[1]?.submissions).toMatchObject({ submitted: true, missing: false });
    expect(list[5]?.submissions).toBe(false);
    expect(list[0]?.html_url).toBe(`/courses/${course}/assignments/${ids.essay}`);
  });

  it('reads yyyy-mm-dd bounds as midnight in the user’s zone and ISO bounds as instants', async () => {
    // Dec 4 00:00 Chicago is 06:00Z: the essay (05:59:59Z) falls before it.
    const fromDec4 = await items('/api/v1/planner/items?start_date=2026-12-04&end_date=2026-12-31');
    expect(fromDec4.some((i) => i.plannable_id === ids.essay)).toBe(false);
    const fromIso = await items('/api/v1/planner/items?start_date=2026-12-04T05:00:00Z&end_date=2026-12-31');
    expect(fromIso.some((i) => i.plannable_id === ids.essay)).toBe(true);
    expect((await get('/api/v1/planner/items?start_date=soon')).status).toBe(400);
  });

  it('defaults, as Canvas does, to two weeks back … two weeks ahead, from the start of the user’s day', async () => {
    const c = emulator.control;
    // Now is Dec 1, 09:00 in Chicago: the window is Nov 17 00:00 CST (06:00Z) … Dec 15 00:00 CST.
    const edges = {
      justBefore: c.addAssignment(course, { name: 'Just before', dueAt: '2026-11-17T05:59:59Z' }),
      first: c.addAssignment(course, { name: 'First', dueAt: '2026-11-17T06:00:00Z' }),
      last: c.addAssignment(course, { name: 'Last', dueAt: '2026-12-15T06:00:00Z' }),
      justAfter: c.addAssignment(course, { name: 'Just after', dueAt: '2026-12-15T06:00:01Z' }),
    };
    try {
      const all = (await items('/api/v1/planner/items')).map((i) => i.plannable_id);
      expect(all).toEqual([
        edges.first,
        ids.essay,
        ids.lab,
        ids.quiz,
        ids.talk,
        ids.todo,
        ids.event,
        edges.last,
      ]);
    } finally {
      for (const id of Object.values(edges)) c.deleteAssignment(id);
    }
  });

  it('reaches ten years back or ahead for the one bound not given', async () => {
    const fromSeptember = await items('/api/v1/planner/items?start_date=2026-09-01');
    expect(fromSeptember.map((i) => i.plannable_id)).toContain(ids.old);
    expect(fromSeptember).toHaveLength(7);
    const c = emulator.control;
    const far = {
      past: c.addAssignment(course, { name: 'Nine years ago', dueAt: '2017-12-01T17:00:00Z' }),
      tooOld: c.addAssignment(course, { name: 'Eleven years ago', dueAt: '2015-12-01T17:00:00Z' }),
      future: c.addAssignment(course, { name: 'In nine years', dueAt: '2035-12-01T17:00:00Z' }),
      tooLate: c.addAssignment(course, { name: 'In eleven years', dueAt: '2037-12-01T17:00:00Z' }),
    };
    try {
      const untilNow = (await items('/api/v1/planner/items?end_date=2026-12-01')).map((i) => i.plannable_id);
      expect(untilNow).toEqual([far.past, ids.old]);
      const fromNow = (await items('/api/v1/planner/items?start_date=2026-12-10')).map((i) => i.plannable_id);
      expect(fromNow).toEqual([far.future]);
    } finally {
      for (const id of Object.values(far)) c.deleteAssignment(id);
    }
  });

  it('filters incomplete items and new activity', async () => {
    const incomplete = await items(`/api/v1/planner/items?${WINDOW}&filter=incomplete_items`);
    expect(incomplete.some((i) => i.plannable_id === ids.lab)).toBe(false);
    expect(incomplete).toHaveLength(5);
    expect(await items(`/api/v1/planner/items?${WINDOW}&filter=new_activity`)).toEqual([]);
    emulator.control.updateAssignment(ids.essay ?? 0, { name: 'Essay (revised prompt)' });
    const fresh = await items(`/api/v1/planner/items?${WINDOW}&filter=new_activity`);
    expect(fresh.map((i) => i.plannable_id)).toEqual([ids.essay]);
    expect(fresh[0]?.new_activity).toBe(true);
  });

  it('pages with opaque bookmarks (no last link) to the end, each item once', async () => {
    let next: string | undefined = `/api/v1/planner/items?${WINDOW}&per_page=2`;
    const seen: number[] = [];
    let pages = 0;
    while (next) {
      const res = await get(next);
      const link = res.headers.get('link') ?? '';
      expect(link).not.toContain('rel="last"');
      seen.push(...((await res.json()) as Item[]).map((i) => i.plannable_id));
      pages += 1;
      next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
      if (next) expect(new URL(next).searchParams.get('page')).toMatch(/^bookmark:[A-Za-z0-9_-]+$/);
    }
    expect(pages).toBe(3);
    expect(seen).toEqual((await items(`/api/v1/planner/items?${WINDOW}`)).map((i) => i.plannable_id));
  });

  it('answers 304 to a matching If-None-Match and 200 once the page changed', async () => {
    const first = await get(`/api/v1/planner/items?${WINDOW}`);
    const etag = first.headers.get('etag') ?? '';
    expect(etag).not.toBe('');
    const again = await get(`/api/v1/planner/items?${WINDOW}`, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('x-request-cost')).not.toBeNull();
    emulator.control.updateAssignment(ids.lab ?? 0, { dueAt: '2026-12-05T18:00:00Z' });
    expect((await get(`/api/v1/planner/items?${WINDOW}`, { 'if-none-match': etag })).status).toBe(200);
  });
});

describe('/calendar_events', () => {
  it('lists assignment entries with Canvas’s all-day date in the course zone', async () => {
    const list = (await (
      await get(`/api/v1/calendar_events?type=assignment&all_events=true&context_codes[]=course_${course}`)
    ).json()) as Array<Record<string, unknown>>;
    const essay = list.find((e) => e.id === `assignment_${ids.essay}`);
    expect(essay).toMatchObject({
      all_day: true,
      all_day_date: '2026-12-03',
      start_at: '2026-12-04T05:59:59Z',
    });
    expect(list.find((e) => e.id === `assignment_${ids.quizAssignment}`)).toMatchObject({ all_day: false });
    expect(list.some((e) => e.title === 'Undated')).toBe(false);
  });

  it('lists only undated assignments with undated=true, and today’s events without dates', async () => {
    const undated = (await (
      await get(`/api/v1/calendar_events?type=assignment&undated=true&context_codes[]=course_${course}`)
    ).json()) as Array<{ title: string }>;
    expect(undated.map((e) => e.title)).toEqual(['Undated']);
    const today = (await (
      await get(`/api/v1/calendar_events?context_codes[]=course_${course}`)
    ).json()) as unknown[];
    expect(today).toEqual([]);
    const windowed = (await (
      await get(
        `/api/v1/calendar_events?start_date=2026-12-09&end_date=2026-12-10&context_codes[]=course_${course}`,
      )
    ).json()) as Array<{ id: number; all_day_date: string }>;
    expect(windowed).toEqual([expect.objectContaining({ id: ids.event, all_day_date: '2026-12-09' })]);
  });
});
