import { expect, it } from 'vitest';
import { canvasGetter, useCanvasEmulator } from '../support/canvas.ts';
import { describeWithFixtures, readJsonFixture } from '../support/fixtures.ts';

// The emulator's objects against the live Canvas captures (kanbasu, SJTU 2021): a client
// written against real Canvas must find every field it expects (issue 12, Canvas item 10).
// Keys, not values, are compared; what the emulator sends beyond a capture is listed below
// with the documentation that names it, and nothing a capture has is left out.

/** Course fields newer than the 2021 capture, from https://canvas.instructure.com/doc/api/courses.html. */
const COURSE_DOCUMENTED_ADDITIONS = [
  'course_color',
  'created_at',
  'friendly_name',
  'grade_passback_setting',
  'homeroom_course',
  'license',
  'template',
];
/** Deliberately left out of the emulator's objects although a capture has them: none. */
const OMITTED: string[] = [];

const emulator = useCanvasEmulator({ per: 'file' });
const get = canvasGetter(emulator, () => emulator.control.demo?.token ?? '', 'shape-test');
const getJson = async (path: string): Promise<unknown> => (await get(path)).json();
const keysOf = (value: unknown): string[] =>
  typeof value === 'object' && value !== null ? Object.keys(value).sort() : [];
const first = (value: unknown): unknown => (Array.isArray(value) ? value[0] : undefined);
const without = (keys: string[], drop: string[]) => keys.filter((k) => !drop.includes(k));
type Json = Record<string, unknown>;
const courseIds = () => emulator.control.demo?.courseIds ?? [];

describeWithFixtures('JSON shapes against real Canvas responses (kanbasu)', () => {
  it('users/self carries exactly the fields of current_user.json', async () => {
    expect(keysOf(await getJson('/api/v1/users/self'))).toEqual(
      keysOf(readJsonFixture('canvas/kanbasu/current_user.json')),
    );
  });

  it('an assignment with its submission carries exactly the fields of assignments.json, and its submission those of the embedded one', async () => {
    const real = first(readJsonFixture('canvas/kanbasu/assignments.json')) as Json;
    const rows = (await getJson(
      `/api/v1/courses/${courseIds()[0]}/assignments?include[]=submission&per_page=100`,
    )) as Json[];
    // A plain assignment (no quiz or topic behind it) whose submission row exists, as in the capture.
    const ours = rows.find((a) => !('quiz_id' in a) && !('discussion_topic' in a) && 'submission' in a);
    expect(ours).toBeDefined();
    expect(keysOf(ours)).toEqual(without(keysOf(real), OMITTED));
    expect(keysOf(ours?.submission)).toEqual(without(keysOf(real.submission), OMITTED));
  });

  it('a full course carries the fields of course_response.json (same includes), plus documented newer ones', async () => {
    const real = first(readJsonFixture('canvas/kanbasu/course_response.json')) as Json;
    const courses = (await getJson(
      '/api/v1/courses?include[]=syllabus_body&include[]=term&include[]=course_image&include[]=teachers&per_page=100',
    )) as Json[];
    const full = courses.filter((c) => !('access_restricted_by_date' in c));
    expect(full.length).toBeGreaterThan(0);
    const expected = [...without(keysOf(real), OMITTED), ...COURSE_DOCUMENTED_ADDITIONS].sort();
    for (const c of full) {
      expect(keysOf(c)).toEqual(expected);
      expect(keysOf(c.term)).toEqual(keysOf(real.term));
      expect(keysOf(first(c.enrollments))).toEqual(keysOf(first(real.enrollments)));
      expect(keysOf(first(c.teachers))).toEqual(keysOf(first(real.teachers)));
    }
    const stubs = courses.filter((c) => 'access_restricted_by_date' in c);
    for (const s of stubs) expect(keysOf(s)).toEqual(['access_restricted_by_date', 'id']);
  });

  it('planner items carry exactly the top-level fields of planners.json, and its submissions fields', async () => {
    const ours = (await getJson('/api/v1/planner/items?per_page=100')) as Json[];
    const real = readJsonFixture('canvas/kanbasu/planners.json') as Json[];
    expect(ours.length).toBeGreaterThan(0);
    for (const item of ours) expect(keysOf(item)).toEqual(keysOf(real[0]));
    const realWork = real.find((i) => typeof i.submissions === 'object')?.submissions;
    const ourWork = ours.find((i) => typeof i.submissions === 'object')?.submissions;
    expect(keysOf(ourWork)).toEqual(keysOf(realWork));
  });

  it('an ungraded discussion topic carries exactly the fields of the ordinary topic in discussion_topics.json', async () => {
    const topics = (await getJson(`/api/v1/courses/${courseIds()[0]}/discussion_topics`)) as Json[];
    const real = readJsonFixture<Json[]>('canvas/kanbasu/discussion_topics.json')[2];
    const ungraded = topics.find((t) => t.assignment_id === null);
    expect(ungraded).toBeDefined();
    expect(keysOf(ungraded)).toEqual(without(keysOf(real), OMITTED));
    // A graded one adds only its assignment.
    const graded = topics.find((t) => t.assignment_id !== null);
    expect(without(keysOf(graded), keysOf(real))).toEqual(['assignment']);
  });
});
