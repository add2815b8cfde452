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
