import { describe, expect, it } from 'vitest';
import { canvasGetter, demoOf, useCanvasEmulator } from '../support/canvas.ts';

const emulator = useCanvasEmulator();
const demo = () => demoOf(emulator);
const get = canvasGetter(emulator, () => demo().token, 'canvas-emulator-test');

describe('a course tab the teacher hid', () => {
  it('answers its API with 404 and Canvas’s bare message; the other tabs and courses still answer', async () => {
    const [cs, math] = demo().courseIds;
    emulator.control.hideTab(cs ?? 0, 'assignments');
    const hidden = await get(`/api/v1/courses/${cs}/assignments`);
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toEqual({ message: 'That page has been disabled for this course' });
    expect((await get(`/api/v1/courses/${cs}/quizzes`)).status).toBe(200);
    expect((await get(`/api/v1/courses/${cs}/discussion_topics`)).status).toBe(200);
    expect((await get(`/api/v1/courses/${math}/assignments`)).status).toBe(200);

    emulator.control.hideTab(cs ?? 0, 'quizzes');
    emulator.control.hideTab(cs ?? 0, 'discussions');
    expect((await get(`/api/v1/courses/${cs}/quizzes`)).status).toBe(404);
    expect((await get(`/api/v1/courses/${cs}/discussion_topics`)).status).toBe(404);

    emulator.control.hideTab(cs ?? 0, 'assignments', false);
    expect((await get(`/api/v1/courses/${cs}/assignments`)).status).toBe(200);
  });

  it('takes the course’s assignments out of the truth, but not its events, to-dos or syllabus dates', () => {
    const [cs] = demo().courseIds;
    const before = emulator.control.expectedDueItems(demo().userId).filter((i) => i.courseId === String(cs));
    emulator.control.hideTab(cs ?? 0, 'assignments');
    const after = emulator.control.expectedDueItems(demo().userId).filter((i) => i.courseId === String(cs));
    expect(before.some((i) => i.kind === 'assignment')).toBe(true);
    expect(after.map((i) => i.kind).sort()).toEqual(
      before
        .filter((i) => i.source !== 'assignment')
        .map((i) => i.kind)
        .sort(),
    );
  });
});

describe('page sizes', () => {
  // The planner has no default of its own: Api.paginate's api_per_page, 10
  // (app/controllers/planner_controller.rb#index, lib/api.rb `per_page_for`).
  it('sends 10 items a page by default, the planner too', async () => {
    const [cs] = demo().courseIds;
    const assignments = await get(`/api/v1/courses/${cs}/assignments`);
    expect(((await assignments.json()) as unknown[]).length).toBe(10);
    expect(assignments.headers.get('link')).toContain('per_page=10');
    const planner = await get('/api/v1/planner/items?start_date=2026-01-01&end_date=2027-06-01');
    expect(((await planner.json()) as unknown[]).length).toBe(10);
    expect(planner.headers.get('link')).toContain('per_page=10');
  });
});

describe('throttling headers', () => {
  // Both headers are floating-point numbers, "699.0" and "1.0" as Ruby writes them
  // (https://canvas.instructure.com/doc/api/file.throttling.html).
  it('sends X-Rate-Limit-Remaining only while throttling applies; X-Request-Cost always', async () => {
    const on = await get('/api/v1/users/self');
    expect(on.headers.get('x-rate-limit-remaining')).toBe('699.0');
    expect(on.headers.get('x-request-cost')).toBe('1.0');
    emulator.control.setThrottling(false);
    emulator.control.fillBucket(demo().token, 700);
    const off = await get('/api/v1/users/self');
    expect(off.status).toBe(200);
    expect(off.headers.get('x-rate-limit-remaining')).toBeNull();
    expect(off.headers.get('x-request-cost')).toBe('1.0');
    emulator.control.setThrottling(true);
    expect((await get('/api/v1/users/self')).status).toBe(403);
  });
});

describe('64-bit ids', () => {
  it('uses ids no 32-bit integer holds, exact as strings under the string-ids Accept header', async () => {
    const [cs] = demo().courseIds;
    expect(cs).toBeGreaterThan(2 ** 32);
    const res = await get('/api/v1/courses?include[]=term', { accept: 'application/json+canvas-string-ids' });
    const body = (await res.json()) as Array<{ id: unknown; term?: { id: unknown } }>;
    expect(body.map((c) => c.id)).toContain(String(cs));
    expect(body.every((c) => typeof c.id === 'string')).toBe(true);
  });
});

describe('syllabus dates in the truth', () => {
  it('lists the demo syllabi’s deadlines and exams, never a holiday, and gives way to a Canvas item the same day', () => {
    const items = emulator.control.expectedDueItems(demo().userId).filter((i) => i.kind === 'syllabus');
    const [cs, , eng, chem] = demo().courseIds;
    const titles = (course: number | undefined) =>
      items
        .filter((i) => i.courseId === String(course))
        .map((i) => `${i.id} ${i.allDay ? 'all-day' : i.dueAt}`);
    expect(titles(cs)).toEqual(['2026-10-12:midterm all-day', '2026-12-09:final-exam all-day']);
    expect(titles(eng)).toContain('2026-09-23:research-paper-proposal 2026-09-24T04:59:00Z');
    // CHEM 110's midterm is the Canvas quiz "Midterm Exam" on the same day.
    expect(titles(chem)).toEqual(['2026-12-09:final-exam all-day']);
    expect(items.some((i) => /thanksgiving/i.test(i.title))).toBe(false);
    expect(items.find((i) => i.courseId === String(cs))?.htmlUrl).toBe(
      `${emulator.url}/courses/${cs}/assignments/syllabus`,
    );
  });
});
