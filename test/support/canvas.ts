import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import {
  type CanvasControl,
  type CanvasEmulator,
  type StartCanvasEmulatorOptions,
  startCanvasEmulator,
} from '../../emulators/canvas/index.ts';
import { type CanvasClientOptions, createCanvasClient } from '../../src/canvas/canvas-client.ts';
import type { DueItemsRead } from '../../src/sync/due-items-source.ts';

/** The still clock the Canvas tests run at: inside the demo seed's Fall 2026 term. */
export const CANVAS_NOW = Date.parse('2026-12-01T15:00:00Z');

/**
 * A Canvas emulator at `CANVAS_NOW`, started before each test (or once for the file) and
 * closed after it. The handle reads through to the emulator running at the time, so each test
 * sees a fresh one when `per` is `'test'`.
 */
export function useCanvasEmulator(
  options: StartCanvasEmulatorOptions & { per?: 'test' | 'file' } = {},
): CanvasEmulator {
  const { per = 'test', ...start } = options;
  let current: CanvasEmulator | undefined;
  const running = () => {
    if (!current) throw new Error('the Canvas emulator runs only inside a test');
    return current;
  };
  const [before, after] = per === 'file' ? [beforeAll, afterAll] : [beforeEach, afterEach];
  before(async () => {
    current = await startCanvasEmulator({ now: () => CANVAS_NOW, ...start });
  });
  after(() => running().close());
  return {
    get url() {
      return running().url;
    },
    get control() {
      return running().control;
    },
    close: () => running().close(),
  };
}

/** The demo seed's student, courses and token; throws on an emulator started empty. */
export function demoOf(emulator: CanvasEmulator) {
  const demo = emulator.control.demo;
  if (!demo) throw new Error('no demo seed');
  return demo;
}

/** Ada, a Chicago student enrolled in one course (Algebra unless named), on an empty emulator. */
export function enrollAda(
  control: CanvasControl,
  course: Parameters<CanvasControl['createCourse']>[0] = { name: 'Algebra', courseCode: 'MATH 1' },
): { userId: number; token: string; course: number } {
  const userId = control.createUser('Ada', 'America/Chicago');
  const token = control.issueToken(userId);
  const courseId = control.createCourse(course);
  control.enroll(userId, courseId);
  return { userId, token, course: courseId };
}

/**
 * A GET of an API path (or a whole `Link` URL) as a script would send it: the token as Bearer
 * and a User-Agent, which Canvas requires. `token` is read at each request.
 */
export function canvasGetter(emulator: CanvasEmulator, token: () => string, userAgent: string) {
  return (path: string, headers: Record<string, string> = {}) =>
    fetch(path.startsWith('http') ? path : `${emulator.url}${path}`, {
      headers: { authorization: `Bearer ${token()}`, 'user-agent': userAgent, ...headers },
    });
}

/** Our Canvas client as the demo student: back-off sleeps land in `sleeps`, jitter rolls 0. */
export function demoClient(
  emulator: CanvasEmulator,
  sleeps: number[],
  options: Partial<CanvasClientOptions> = {},
) {
  return createCanvasClient({
    baseUrl: emulator.url,
    token: demoOf(emulator).token,
    now: () => CANVAS_NOW,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
    ...options,
  });
}

/**
 * A demo-seeded emulator per test and our client on it as the demo student. `sleeps` is the
 * running test's record of back-off waits (emptied before each test); nothing really waits.
 */
export function useDemoCanvas() {
  const emulator = useCanvasEmulator();
  const sleeps: number[] = [];
  beforeEach(() => {
    sleeps.length = 0;
  });
  return {
    emulator,
    sleeps,
    demo: () => demoOf(emulator),
    client: (options: Partial<CanvasClientOptions> = {}) => demoClient(emulator, sleeps, options),
  };
}

/** The read, or a throw naming its failure, so a test states what it expects of a complete one. */
export function completeRead(read: DueItemsRead) {
  if (!read.complete) throw new Error(`incomplete: ${read.failure.code} ${read.failure.message}`);
  return read;
}

/** Wraps fetch to see or change what Canvas answers, e.g. to act between two requests. */
export const tapFetch =
  (tap: (url: URL, response: Response) => Response | Promise<Response>): typeof fetch =>
  async (input, init) =>
    tap(new URL(String(input)), await fetch(input, init));
