import { expect, it } from 'vitest';
import { canvasGetter, useCanvasEmulator } from '../support/canvas.ts';
import { describeWithFixtures, readJsonFixture } from '../support/fixtures.ts';

const emulator = useCanvasEmulator({ per: 'file' });
const get = canvasGetter(emulator, () => emulator.control.demo?.token ?? '', 'shape-test');
const getJson = async (path: string): Promise<unknown> => (await get(path)).json();
const keysOf = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.keys(value).sort() : [];
const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : undefined);

describeWithFixtures('JSON shapes against real Canvas responses (kanbasu)', () => {
  it('users/self carries exactly the fields of current_user.json', async () => {
    expect(keysOf(await getJson('/api/v1/users/self'))).toEqual(
      keysOf(readJsonFixture('canvas/kanbasu/current_user.json')),
    );
  });

  // The emulator serves a subset of Canvas's many assignment and course fields; every
  // field it does serve must be one real Canvas sends, under the same name.
  it('assignments use only field names Canvas uses', async () => {
    const courseId = emulator.control.demo?.courseIds[0];
    const ours = keysOf(first(await getJson(`/api/v1/courses/${courseId}/assignments?include[]=submission`)));
    const real = keysOf(first(readJsonFixture('canvas/kanbasu/assignments.json')));
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((k) => !real.includes(k))).toEqual([]);
    for (const k of ['id', 'course_id', 'name', 'due_at', 'html_url', 'submission'])
      expect(ours).toContain(k);
  });

  it('courses use only field names Canvas uses, and restricted courses are id stubs', async () => {
    const courses = (await getJson('/api/v1/courses?per_page=100')) as unknown[];
    const real = keysOf(first(readJsonFixture('canvas/kanbasu/course_response.json')));
    const full = courses.filter((c) => keysOf(c).length > 2);
    expect(full.length).toBeGreaterThan(0);
    for (const c of full) expect(keysOf(c).filter((k) => !real.includes(k))).toEqual([]);
    const stubs = courses.filter((c) => keysOf(c).includes('access_restricted_by_date'));
    for (const s of stubs) expect(keysOf(s)).toEqual(['access_restricted_by_date', 'id']);
  });

  it('planner items carry exactly the top-level fields of planners.json, and its submissions fields', async () => {
    const ours = (await getJson('/api/v1/planner/items?per_page=100')) as Array<Record<string, unknown>>;
    const real = readJsonFixture('canvas/kanbasu/planners.json') as Array<Record<string, unknown>>;
    expect(ours.length).toBeGreaterThan(0);
    for (const item of ours) expect(keysOf(item)).toEqual(keysOf(real[0]));
    const realWork = real.find((i) => typeof i.submissions === 'object')?.submissions;
    const ourWork = ours.find((i) => typeof i.submissions === 'object')?.submissions;
    expect(keysOf(ourWork)).toEqual(keysOf(realWork));
  });

  it('discussion topics use only field names Canvas uses (an ungraded one has no assignment)', async () => {
    const courseId = emulator.control.demo?.courseIds[0];
    const topics = (await getJson(`/api/v1/courses/${courseId}/discussion_topics`)) as Array<
      Record<string, unknown>
    >;
    const real = keysOf(readJsonFixture<unknown[]>('canvas/kanbasu/discussion_topics.json')[2]);
    const ungraded = topics.find((t) => t.assignment_id === null);
    expect(ungraded).toBeDefined();
    expect(keysOf(ungraded).filter((k) => !real.includes(k))).toEqual([]);
  });
});
