import { describe, expect, it } from 'vitest';
import type { CanvasPlannerItemJson } from './canvas-schemas.ts';
import { joinDueItems } from './due-items-join.ts';

const todo = (type: string, id: string, extra: Partial<CanvasPlannerItemJson['plannable']> = {}) =>
  ({
    plannable_type: type,
    plannable_id: id,
    course_id: '7',
    plannable: { id, title: `${type} ${id}`, todo_date: '2026-12-03T15:00:00Z', ...extra },
    html_url: `/courses/7/${type}/${id}`,
  }) satisfies CanvasPlannerItemJson;

const join = (planner: CanvasPlannerItemJson[]) =>
  joinDueItems({
    courses: [{ id: '7', name: 'Biology', course_code: 'BIO 1' }],
    assignments: new Map([['7', []]]),
    planner,
    events: [],
    assignmentEvents: [],
    origin: 'https://canvas.example',
  }).items;

describe('planner to-dos no assignment backs', () => {
  it('are items: an ungraded discussion or a page with a to-do date, keyed by type, course and id', () => {
    const items = join([todo('discussion_topic', '1'), todo('wiki_page', '2')]);
    expect(items.map((i) => [i.key, i.kind, i.dueAt, i.htmlUrl])).toEqual([
      [
        'discussion_topic:7:1',
        'discussion',
        '2026-12-03T15:00:00.000Z',
        'https://canvas.example/courses/7/discussion_topic/1',
      ],
      [
        'wiki_page:7:2',
        'discussion',
        '2026-12-03T15:00:00.000Z',
        'https://canvas.example/courses/7/wiki_page/2',
      ],
    ]);
  });

  it('leave out notes, announcements, undated topics, graded ones and other courses', () => {
    const items = join([
      todo('planner_note', '3'),
      todo('announcement', '4'),
      todo('discussion_topic', '5', { todo_date: null }),
      // Graded: its assignment is the item, and that assignment is no longer in the course's list.
      todo('discussion_topic', '6', { assignment_id: '60' }),
      { ...todo('discussion_topic', '8'), course_id: '9' },
    ]);
    expect(items).toEqual([]);
  });
});

describe('ungraded (practice) quizzes on the planner', () => {
  const practice = (id: string, plannable: Partial<CanvasPlannerItemJson['plannable']> = {}) =>
    ({
      plannable_type: 'quiz',
      plannable_id: id,
      course_id: '7',
      plannable_date: '2026-12-05T15:00:00Z',
      submissions: false,
      plannable: {
        id,
        title: `Practice ${id}`,
        assignment_id: null,
        due_at: '2026-12-05T15:00:00Z',
        ...plannable,
      },
      html_url: `/courses/7/quizzes/${id}`,
    }) satisfies CanvasPlannerItemJson;

  it('are quizzes of their own, keyed by type, course and id, with their points and link', () => {
    expect(join([practice('77', { points_possible: 4 })])).toEqual([
      {
        key: 'quiz:7:77',
        kind: 'quiz',
        courseId: '7',
        courseName: 'Biology',
        courseCode: 'BIO 1',
        title: 'Practice 77',
        dueAt: '2026-12-05T15:00:00.000Z',
        allDay: false,
        allDayDate: null,
        pointsPossible: 4,
        submitted: false,
        missing: false,
        htmlUrl: 'https://canvas.example/courses/7/quizzes/77',
      },
    ]);
  });

  it('take the planner date when the plannable has no due_at, and leave out undated and graded ones', () => {
    const items = join([
      practice('78', { due_at: undefined }),
      { ...practice('79', { due_at: null }), plannable_date: null },
      // Graded: its assignment is the item, and that assignment is no longer in the course's list.
      practice('80', { assignment_id: '800' }),
      { ...practice('81'), course_id: '9' },
    ]);
    expect(items.map((i) => [i.key, i.dueAt])).toEqual([['quiz:7:78', '2026-12-05T15:00:00.000Z']]);
  });
});
