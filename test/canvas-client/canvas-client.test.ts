import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CanvasEmulator, startCanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import { createCanvasClient, nextLink } from '../../src/canvas/canvas-client.ts';
import { describeWithFixtures, readFixture } from '../support/fixtures.ts';

let emulator: CanvasEmulator;
const sleeps: number[] = [];
beforeEach(async () => {
  sleeps.length = 0;
  emulator = await startCanvasEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
});
afterEach(() => emulator.close());

const client = (token = emulator.control.demo?.token ?? '') =>
  createCanvasClient({
    baseUrl: emulator.url,
    token,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
  });

/** The emulator's own truth, computed from its state, independently of the client. */
function expectedKeys(): { dated: string[]; undated: string[] } {
  const { state, demo } = emulator.control;
  const userId = demo?.userId ?? 0;
  const courses = state.coursesOf(userId).filter((c) => !c.restricted);
  const dated: string[] = [];
  const undated: string[] = [];
  for (const a of state.assignments.values()) {
    if (!a.published || !courses.some((c) => c.id === a.courseId)) continue;
    (state.dueAtFor(a, userId) ? dated : undated).push(`assignment:${a.courseId}:${a.id}`);
  }
  for (const e of state.calendarEvents.values())
    if (courses.some((c) => c.id === e.courseId)) dated.push(`calendar_event:${e.courseId}:${e.id}`);
  return { dated: dated.sort(), undated: undated.sort() };
}

describe('Canvas client against the emulator', () => {
  it("reads the demo student's complete list: every dated item once, undated ones apart", async () => {
    const read = await client().readDueItems();
    if (!read.complete) throw new Error(read.failure.message);
    const truth = expectedKeys();
    expect(read.items.map((i) => i.key).sort()).toEqual(truth.dated);
    expect(read.undated.map((i) => i.key)).toEqual(truth.undated);
    expect(read.items.length).toBeGreaterThan(50);
    const project = read.items.find((i) => i.title === 'Final project');
    const override = [...emulator.control.state.assignments.values()].find((a) => a.name === 'Final project');
    expect(Date.parse(project?.dueAt ?? '')).toBe(
      Date.parse(override?.overrides.get(emulator.control.demo?.userId ?? 0) ?? ''),
    );
    expect(read.items.filter((i) => i.submitted)).toHaveLength(2);
    expect(read.items.filter((i) => i.kind === 'quiz').length).toBeGreaterThan(0);
    const allDay = read.items.find((i) => i.allDay);
    expect(allDay?.allDayDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('waits out throttling (plain-text 403) with backoff and still reads everything', async () => {
    emulator.control.throttleNext(2);
    const read = await client().readDueItems();
    expect(read.complete).toBe(true);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('reports an incomplete list, never a short one, when Canvas keeps failing', async () => {
    const courseId = emulator.control.demo?.courseIds[2];
    emulator.control.failNext(`/api/v1/courses/${courseId}/assignments`, 503, 10);
    const read = await client().readDueItems();
    expect(read).toEqual({
      complete: false,
      failure: { code: 'unavailable', message: 'Canvas answered HTTP 503' },
    });
  });

  it('tells a dead token from a missing permission', async () => {
    const token = emulator.control.demo?.token ?? '';
    emulator.control.revokeToken(token);
    const read = await client(token).readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'token_invalid' } });
  });
});

describeWithFixtures('Link headers captured from a live Canvas', () => {
  it('follows rel="next" and stops where there is none', () => {
    const [first, second] = readFixture('canvas/kanbasu/link-headers.txt').split('\n').filter(Boolean);
    expect(nextLink(first ?? null)).toBe('https://oc.sjtu.edu.cn/api/v1/courses?page=2&per_page=10');
    expect(nextLink(second ?? null)).toBeUndefined();
  });
});
