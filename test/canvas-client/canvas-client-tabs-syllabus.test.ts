import { describe, expect, it } from 'vitest';
import type { DueItemsRead } from '../../src/sync/due-items-source.ts';
import { completeRead as complete, tapFetch, useDemoCanvas } from '../support/canvas.ts';

const { emulator, sleeps, demo, client } = useDemoCanvas();

/** Every dated and undated item as `key dueAt allDayDate`, sorted. */
const keys = (read: DueItemsRead) => {
  const r = complete(read);
  return [
    ...r.items.map((i) => `${i.key} ${Date.parse(i.dueAt)} ${i.allDayDate}`),
    ...r.undated.map((i) => `${i.key} undated ${i.allDayDate}`),
  ].sort();
};
const truth = () =>
  emulator.control
    .expectedDueItems(demo().userId)
    .map(
      (t) => `${t.source}:${t.courseId}:${t.id} ${t.dueAt ? Date.parse(t.dueAt) : 'undated'} ${t.allDayDate}`,
    )
    .sort();

describe('a course whose teacher hid the assignments tab', () => {
  it('is a complete read: no assignments from that course, a notice saying so, the rest intact', async () => {
    const chem = demo().courseIds[3] ?? 0;
    emulator.control.hideTab(chem, 'assignments');
    const read = complete(await client().readDueItems());
    expect(keys(read)).toEqual(truth());
    const chemItems = read.items.filter((i) => i.courseId === String(chem));
    expect(chemItems.some((i) => ['assignment', 'quiz', 'discussion'].includes(i.kind))).toBe(false);
    expect(chemItems.some((i) => i.kind === 'calendar_event')).toBe(true);
    // Its Canvas "Midterm Exam" quiz is out of sight, so the syllabus midterm is the student's.
    expect(chemItems.find((i) => i.kind === 'syllabus' && i.title === 'Midterm')).toBeDefined();
    expect(read.notices).toEqual([
      {
        code: 'assignments_hidden',
        courseId: String(chem),
        courseName: 'General Chemistry',
        message: 'General Chemistry hides its assignments from students in Canvas',
      },
    ]);
    expect(sleeps).toEqual([]);
  });

  it('is told from a missing resource by the answer’s shape, in any language', async () => {
    const math = demo().courseIds[1] ?? 0;
    const translated = tapFetch((url, response) =>
      url.pathname === `/api/v1/courses/${math}/assignments`
        ? Response.json({ message: 'Esa página ha sido deshabilitada para este curso' }, { status: 404 })
        : response,
    );
    const read = complete(await client({ fetch: translated }).readDueItems());
    expect(read.notices?.map((n) => n.courseId)).toEqual([String(math)]);
    const missing = tapFetch((url, response) =>
      url.pathname === `/api/v1/courses/${math}/assignments`
        ? Response.json({ errors: [{ message: 'The specified resource does not exist.' }] }, { status: 404 })
        : response,
    );
    expect(await client({ fetch: missing }).readDueItems()).toMatchObject({
      complete: false,
      failure: { code: 'not_found' },
    });
  });

  it('has no notice when no tab is hidden', async () => {
    expect(complete(await client().readDueItems()).notices).toBeUndefined();
  });
});

describe('syllabus dates', () => {
  it('come with the Canvas items: exams and deadlines, no holidays, none doubling a Canvas item', async () => {
    const read = complete(await client().readDueItems());
    const [cs, , eng, chem] = demo().courseIds;
    const syllabus = read.items.filter((i) => i.kind === 'syllabus');
    const of = (course: number | undefined) =>
      syllabus
        .filter((i) => i.courseId === String(course))
        .map((i) => `${i.title} ${i.allDayDate ?? i.dueAt}`)
        .sort();
    expect(of(cs)).toEqual(['Final exam 2026-12-09', 'Midterm 2026-10-12']);
    expect(of(eng)).toEqual([
      'Final exam 2026-12-11',
      'First class 2026-08-26',
      'Midterm (in class) 2026-10-14',
      'Research paper proposal 2026-09-24T04:59:00.000Z',
    ]);
    expect(of(chem)).toEqual(['Final exam 2026-12-09']);
    expect(read.items.find((i) => i.courseId === String(chem) && i.title === 'Midterm Exam')?.kind).toBe(
      'quiz',
    );
    expect(syllabus.some((i) => /thanksgiving|no class/i.test(i.title))).toBe(false);
    expect(syllabus[0]?.htmlUrl).toMatch(/\/courses\/\d+\/assignments\/syllabus$/);
  });

  it('are read in the student’s zone when Canvas gives no course zone, at the cost of one request', async () => {
    const zoneless = tapFetch(async (url, response) => {
      if (url.pathname === '/api/v1/courses') {
        const body = (await response.json()) as Array<Record<string, unknown>>;
        for (const c of body) delete c.time_zone;
        return Response.json(body, { headers: response.headers });
      }
      if (url.pathname === '/api/v1/users/self/profile')
        return Response.json({ ...((await response.json()) as object), time_zone: 'Asia/Tokyo' });
      return response;
    });
    const c = client({ fetch: zoneless });
    const read = complete(await c.readDueItems());
    const final = read.items.find((i) => i.kind === 'syllabus' && i.key.includes('2026-12-09:final-exam'));
    // End of day in Tokyo, not in Chicago.
    expect(final?.dueAt).toBe('2026-12-09T14:59:59.000Z');
    expect(c.requests).toBe(10);
  });
});

describe('Canvas citizenship', () => {
  it('keeps one request in flight at a time', async () => {
    let inFlight = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight -= 1;
      }
    };
    const c = client({ fetch: counting, perPage: 3 });
    complete(await c.readDueItems());
    expect(c.requests).toBeGreaterThan(30);
    expect(most).toBe(1);
  });

  it('reads on without pausing when Canvas sends no X-Rate-Limit-Remaining', async () => {
    emulator.control.setThrottling(false);
    expect(keys(await client().readDueItems())).toEqual(truth());
    expect(sleeps).toEqual([]);
  });
});
