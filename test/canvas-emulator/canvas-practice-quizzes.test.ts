import { beforeEach, describe, expect, it } from 'vitest';
import { canvasGetter, enrollAda, useCanvasEmulator } from '../support/canvas.ts';

const emulator = useCanvasEmulator({ seed: 'empty' });
let ada = { userId: 0, token: '', course: 0 };
let practice = 0;

beforeEach(() => {
  ada = enrollAda(emulator.control, { name: 'Chemistry', courseCode: 'CHEM 1' });
  practice = emulator.control.addQuiz(ada.course, {
    title: 'Practice quiz 3',
    dueAt: '2026-12-05T15:00:00Z',
    pointsPossible: 4,
    practice: true,
  }).id;
});

const get = (path: string) => canvasGetter(emulator, () => ada.token, 'practice-quiz-test')(path);
const json = async (path: string) => (await (await get(path)).json()) as Array<Record<string, unknown>>;
const WINDOW = 'start_date=2026-11-01&end_date=2026-12-31';

describe('a practice quiz with a due date (no assignment behind it)', () => {
  it('keeps its due date and points in /quizzes', async () => {
    expect(await json(`/api/v1/courses/${ada.course}/quizzes`)).toEqual([
      expect.objectContaining({
        id: practice,
        quiz_type: 'practice_quiz',
        assignment_id: null,
        due_at: '2026-12-05T15:00:00Z',
        points_possible: 4,
      }),
    ]);
  });

  it('is on the planner as Canvas’s ungraded quiz: type quiz, no assignment, no submissions', async () => {
    expect(await json(`/api/v1/planner/items?${WINDOW}`)).toEqual([
      expect.objectContaining({
        plannable_type: 'quiz',
        plannable_id: practice,
        plannable_date: '2026-12-05T15:00:00Z',
        submissions: false,
        html_url: `/courses/${ada.course}/quizzes/${practice}`,
        plannable: expect.objectContaining({
          id: practice,
          assignment_id: null,
          due_at: '2026-12-05T15:00:00Z',
        }),
      }),
    ]);
  });

  it('is in the truth as a quiz of its own, and follows a new date, unpublishing and deletion', async () => {
    const c = emulator.control;
    expect(c.expectedDueItems(ada.userId)).toEqual([
      expect.objectContaining({
        kind: 'quiz',
        source: 'quiz',
        courseId: String(ada.course),
        id: String(practice),
        dueAt: '2026-12-05T15:00:00Z',
        submitted: false,
        missing: false,
        htmlUrl: `${emulator.url}/courses/${ada.course}/quizzes/${practice}`,
      }),
    ]);
    c.updateQuiz(practice, { dueAt: '2026-12-06T15:00:00Z' });
    expect(c.expectedDueItems(ada.userId).map((i) => i.dueAt)).toEqual(['2026-12-06T15:00:00Z']);
    expect((await json(`/api/v1/planner/items?${WINDOW}`)).map((i) => i.plannable_date)).toEqual([
      '2026-12-06T15:00:00Z',
    ]);
    c.updateQuiz(practice, { published: false });
    expect(c.expectedDueItems(ada.userId)).toEqual([]);
    expect(await json(`/api/v1/planner/items?${WINDOW}`)).toEqual([]);
    c.updateQuiz(practice, { published: true });
    c.deleteQuiz(practice);
    expect(c.expectedDueItems(ada.userId)).toEqual([]);
    expect(await json(`/api/v1/planner/items?${WINDOW}`)).toEqual([]);
  });

  it('stays off the planner and out of the truth without a due date', async () => {
    emulator.control.updateQuiz(practice, { dueAt: null });
    expect(await json(`/api/v1/planner/items?${WINDOW}`)).toEqual([]);
    expect(emulator.control.expectedDueItems(ada.userId)).toEqual([]);
  });
});
