import { beforeAll, describe, expect, it } from 'vitest';
import { canvasGetter, enrollAda, CANVAS_NOW as NOW, useCanvasEmulator } from '../support/canvas.ts';

const DAY = 86_400_000;
const emulator = useCanvasEmulator({ seed: 'empty', per: 'file' });
let token = '';
let userId = 0;
let course = 0;
const ids: Record<string, number> = {};

beforeAll(() => {
  const c = emulator.control;
  const term = { name: 'Fall 2026', startAt: '2026-08-24T05:00:00Z', endAt: '2026-12-19T05:59:59Z' };
  ({ userId, token, course } = enrollAda(c, {
    name: 'Algebra',
    courseCode: 'MATH 1',
    term,
    syllabusBody: '<p>Midterm: Oct 12</p>',
  }));
  const invited = c.createCourse({ name: 'Invited', courseCode: 'INV 1' });
  c.enroll(userId, invited, { state: 'invited' });
  const done = c.createCourse({ name: 'Done', courseCode: 'OLD 1' });
  c.enroll(userId, done, { state: 'completed' });
  const teaching = c.createCourse({ name: 'TA section', courseCode: 'TA 1' });
  c.enroll(userId, teaching, { type: 'ta' });
  const restricted = c.createCourse({ name: 'Later', courseCode: 'LATER', restricted: true });
  c.enroll(userId, restricted);
  Object.assign(ids, { invited, done, teaching, restricted });
  const iso = (days: number) => new Date(NOW + days * DAY).toISOString().replace('.000Z', 'Z');
  ids.past = c.addAssignment(course, { name: 'b past', dueAt: iso(-2) });
  ids.submittedPast = c.addAssignment(course, { name: 'a submitted', dueAt: iso(-1) });
  c.submit(userId, ids.submittedPast);
  ids.soon = c.addAssignment(course, { name: 'd soon', dueAt: iso(2) });
  ids.later = c.addAssignment(course, { name: 'c later', dueAt: iso(20) });
  ids.undated = c.addAssignment(course, { name: 'e undated', dueAt: null });
  ids.hidden = c.addAssignment(course, { name: 'hidden', dueAt: iso(3), published: false });
  const quiz = c.addQuiz(course, { title: 'Quiz A', dueAt: iso(4) });
  ids.quiz = quiz.id;
  ids.quizAssignment = quiz.assignmentId ?? 0;
  ids.practice = c.addQuiz(course, { title: 'Practice', dueAt: null, practice: true }).id;
  const graded = c.addDiscussion(course, { title: 'Graded talk', graded: true, dueAt: iso(5) });
  ids.graded = graded.id;
  ids.gradedAssignment = graded.assignmentId ?? 0;
  ids.ungraded = c.addDiscussion(course, { title: 'Say hi', todoDate: iso(1) }).id;
});

const get = canvasGetter(emulator, () => token, 'courses-test');
const list = async (path: string) => (await (await get(path)).json()) as Array<Record<string, unknown>>;
const names = async (path: string) => (await list(path)).map((a) => a.name);

describe('/courses', () => {
  it('lists active and invited enrollments by default, the restricted course as an id stub', async () => {
    const courses = await list('/api/v1/courses?per_page=100');
    expect(courses.map((c) => c.id).sort()).toEqual(
      [course, ids.invited, ids.teaching, ids.restricted].sort(),
    );
    expect(courses.find((c) => c.id === ids.restricted)).toEqual({
      id: ids.restricted,
      access_restricted_by_date: true,
    });
  });

  it('honours enrollment_state and enrollment_type', async () => {
    expect((await list('/api/v1/courses?enrollment_state=completed')).map((c) => c.id)).toEqual([ids.done]);
    expect((await list('/api/v1/courses?enrollment_state=invited_or_pending')).map((c) => c.id)).toEqual([
      ids.invited,
    ]);
    const students = await list('/api/v1/courses?enrollment_state=active&enrollment_type=student');
    expect(students.map((c) => c.id)).toEqual([course, ids.restricted]);
    expect((await get('/api/v1/courses?enrollment_state=bogus')).status).toBe(400);
  });

  it('adds term and syllabus_body only when included', async () => {
    const [plain] = await list('/api/v1/courses?enrollment_state=active&enrollment_type=student');
    expect(plain).not.toHaveProperty('term');
    expect(plain).not.toHaveProperty('syllabus_body');
    const [full] = await list(
      '/api/v1/courses?enrollment_state=active&enrollment_type=student&include[]=term&include[]=syllabus_body',
    );
    expect(full?.term).toMatchObject({ name: 'Fall 2026', start_at: '2026-08-24T05:00:00Z' });
    expect(full?.syllabus_body).toBe('<p>Midterm: Oct 12</p>');
  });

  it('answers /courses/:id for a course, a stub, a stranger and nothing', async () => {
    expect(await (await get(`/api/v1/courses/${course}`)).json()).toMatchObject({
      id: course,
      name: 'Algebra',
    });
    expect(await (await get(`/api/v1/courses/${ids.restricted}`)).json()).toEqual({
      id: ids.restricted,
      access_restricted_by_date: true,
    });
    const stranger = emulator.control.createCourse({ name: 'Not mine', courseCode: 'NM' });
    expect((await get(`/api/v1/courses/${stranger}`)).status).toBe(401);
    const missing = await get('/api/v1/courses/424242');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ errors: [{ message: 'The specified resource does not exist.' }] });
  });
});

describe('/courses/:id/assignments', () => {
  const path = () => `/api/v1/courses/${course}/assignments?per_page=100`;

  it('lists published assignments in position order; quizzes and graded discussions are assignments', async () => {
    const all = await list(path());
    expect(all.map((a) => a.name)).toEqual([
      'b past',
      'a submitted',
      'd soon',
      'c later',
      'e undated',
      'Quiz A',
      'Graded talk',
    ]);
    expect(all.find((a) => a.name === 'Quiz A')).toMatchObject({
      quiz_id: ids.quiz,
      is_quiz_assignment: true,
    });
    expect(all.find((a) => a.name === 'Graded talk')).toMatchObject({ discussion_topic: { id: ids.graded } });
  });

  it('orders by name and by due date (undated last)', async () => {
    expect((await names(`${path()}&order_by=name`)).slice(0, 3)).toEqual([
      'a submitted',
      'b past',
      'c later',
    ]);
    const byDue = await names(`${path()}&order_by=due_at`);
    expect(byDue.at(0)).toBe('b past');
    expect(byDue.at(-1)).toBe('e undated');
    expect((await get(`${path()}&order_by=color`)).status).toBe(400);
  });

  it('filters by bucket from the student’s own dates and work', async () => {
    expect(await names(`${path()}&bucket=past`)).toEqual(['b past', 'a submitted']);
    expect(await names(`${path()}&bucket=overdue`)).toEqual(['b past']);
    expect(await names(`${path()}&bucket=undated`)).toEqual(['e undated']);
    expect(await names(`${path()}&bucket=ungraded`)).toEqual(['a submitted']);
    expect(await names(`${path()}&bucket=upcoming`)).toEqual(['d soon', 'Quiz A', 'Graded talk']);
    expect(await names(`${path()}&bucket=future`)).toEqual([
      'd soon',
      'c later',
      'e undated',
      'Quiz A',
      'Graded talk',
    ]);
    expect(await names(`${path()}&bucket=unsubmitted`)).not.toContain('a submitted');
    expect((await get(`${path()}&bucket=someday`)).status).toBe(400);
  });

  it('embeds the student’s submission, missing when past due and unsubmitted', async () => {
    const all = await list(`${path()}&include[]=submission`);
    expect(all.find((a) => a.name === 'b past')?.submission).toMatchObject({
      workflow_state: 'unsubmitted',
      missing: true,
    });
    expect(all.find((a) => a.name === 'a submitted')?.submission).toMatchObject({
      workflow_state: 'submitted',
      missing: false,
    });
  });
});

describe('/courses/:id/quizzes and /discussion_topics', () => {
  it('lists quizzes with their assignment and due date', async () => {
    const quizzes = await list(`/api/v1/courses/${course}/quizzes`);
    expect(quizzes.find((q) => q.id === ids.quiz)).toMatchObject({
      quiz_type: 'assignment',
      assignment_id: ids.quizAssignment,
      due_at: new Date(NOW + 4 * DAY).toISOString().replace('.000Z', 'Z'),
    });
    expect(quizzes.find((q) => q.id === ids.practice)).toMatchObject({
      quiz_type: 'practice_quiz',
      assignment_id: null,
    });
  });

  it('gives graded discussions an assignment with due_at, ungraded ones a to-do date', async () => {
    const topics = await list(`/api/v1/courses/${course}/discussion_topics`);
    expect(topics.find((t) => t.id === ids.graded)).toMatchObject({
      assignment_id: ids.gradedAssignment,
      assignment: {
        id: ids.gradedAssignment,
        due_at: new Date(NOW + 5 * DAY).toISOString().replace('.000Z', 'Z'),
      },
    });
    const ungraded = topics.find((t) => t.id === ids.ungraded);
    expect(ungraded).toMatchObject({ assignment_id: null, todo_date: expect.any(String) });
    expect(ungraded).not.toHaveProperty('assignment');
  });

  it('follows a teacher’s edits: a date moved, a quiz unpublished, a discussion deleted', async () => {
    const c = emulator.control;
    const q = c.addQuiz(course, { title: 'Pop quiz', dueAt: '2026-12-09T15:00:00Z' });
    c.updateQuiz(q.id, { dueAt: '2026-12-10T15:00:00Z' });
    let all = await list(`/api/v1/courses/${course}/assignments?per_page=100`);
    expect(all.find((a) => a.id === q.assignmentId)?.due_at).toBe('2026-12-10T15:00:00Z');
    c.updateQuiz(q.id, { published: false });
    all = await list(`/api/v1/courses/${course}/assignments?per_page=100`);
    expect(all.some((a) => a.id === q.assignmentId)).toBe(false);
    expect((await list(`/api/v1/courses/${course}/quizzes`)).some((x) => x.id === q.id)).toBe(false);
    const d = c.addDiscussion(course, { title: 'Debate', graded: true, dueAt: '2026-12-11T18:00:00Z' });
    c.deleteDiscussion(d.id);
    all = await list(`/api/v1/courses/${course}/assignments?per_page=100`);
    expect(all.some((a) => a.id === d.assignmentId)).toBe(false);
  });
});
