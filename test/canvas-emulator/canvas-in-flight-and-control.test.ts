import { beforeEach, describe, expect, it, vi } from 'vitest';
import { canvasGetter, enrollAda, useCanvasEmulator } from '../support/canvas.ts';

// A still clock: the bucket does not leak between requests, so every unit is visible.
const emulator = useCanvasEmulator({ seed: 'empty' });
let token = '';
let course = 0;

beforeEach(() => {
  ({ token, course } = enrollAda(emulator.control));
  emulator.control.addAssignment(course, { name: 'A', dueAt: '2026-12-10T17:00:00Z' });
});

const get = canvasGetter(emulator, () => token, 'in-flight-test');
const statuses = (responses: Response[]) => responses.map((r) => r.status);

describe('the up-front charge of a request in flight', () => {
  it('lasts while the answer is in flight: parallel requests are throttled where serial ones are not', async () => {
    emulator.control.setLatency(30);
    // 500 + 4 × 50 in flight reaches the 700 mark: a fifth request at once is one too many.
    emulator.control.fillBucket(token, 500);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => get('/api/v1/users/self')));
    expect(statuses(parallel).sort()).toEqual([200, 200, 200, 200, 403]);

    emulator.control.fillBucket(token, 500);
    const serial: Response[] = [];
    for (let i = 0; i < 5; i++) serial.push(await get('/api/v1/users/self'));
    expect(statuses(serial)).toEqual([200, 200, 200, 200, 200]);
  });

  it('counts the others still in flight in X-Rate-Limit-Remaining', async () => {
    emulator.control.setLatency(30);
    const [a, b] = await Promise.all([get('/api/v1/users/self'), get('/api/v1/users/self')]);
    const remaining = [a, b].map((r) => Number(r.headers.get('x-rate-limit-remaining'))).sort();
    // The first to answer still sees the other's 50 units held; the second sees them refunded.
    expect(remaining).toEqual([649, 698]);
  });

  it('is released when a handler throws, so the next request is admitted', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    // A course zone no clock knows makes the all-day rule throw inside the calendar route.
    const broken = emulator.control.createCourse({
      name: 'Broken',
      courseCode: 'X',
      timeZone: 'Nowhere/Zone',
    });
    emulator.control.enroll(emulator.control.state.tokens.get(token)?.userId ?? 0, broken);
    emulator.control.addAssignment(broken, { name: 'B', dueAt: '2026-12-10T17:00:00Z' });
    // Room for one request in flight (640 + 50), not two.
    emulator.control.fillBucket(token, 640);
    const failed = await get(
      `/api/v1/calendar_events?type=assignment&all_events=true&context_codes[]=course_${broken}`,
    );
    expect(failed.status).toBe(500);
    expect(failed.headers.get('x-request-cost')).toBe('1.0');
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
    expect((await get('/api/v1/users/self')).status).toBe(200);
  });
});

describe('X-Request-Cost', () => {
  // A throttled request never ran, so it has no cost: app/middleware/request_throttle.rb sets
  // X-Request-Cost only on requests it let through (issue 12, Canvas item 7).
  it('is on every answer but a throttled one: dead token, missing User-Agent and errors alike', async () => {
    emulator.control.throttleNext(1);
    const throttled = await get('/api/v1/users/self');
    expect(throttled.status).toBe(403);
    const dead = await fetch(`${emulator.url}/api/v1/users/self`, {
      headers: { authorization: 'Bearer nope', 'user-agent': 'x' },
    });
    const noAgent = await fetch(`${emulator.url}/api/v1/users/self`, {
      headers: { authorization: `Bearer ${token}`, 'user-agent': '' },
    });
    emulator.control.failNext('/api/v1/users/self', 503);
    const failing = await get('/api/v1/users/self');
    const missing = await get('/api/v1/courses/1');
    expect(throttled.headers.get('x-request-cost')).toBeNull();
    expect(throttled.headers.get('x-rate-limit-remaining')).toMatch(/^-?\d+\.\d+$/);
    for (const r of [dead, noAgent, failing, missing])
      expect(r.headers.get('x-request-cost'), String(r.status)).toMatch(/^\d+\.\d+$/);
    for (const r of [throttled, dead, noAgent, failing, missing]) await r.body?.cancel();
    expect(statuses([throttled, dead, noAgent, failing, missing])).toEqual([403, 401, 403, 503, 404]);
  });
});

describe('per_page', () => {
  it('clamps 0 and negative values to 1', async () => {
    emulator.control.addAssignment(course, { name: 'B', dueAt: '2026-12-11T17:00:00Z' });
    for (const perPage of ['0', '-5']) {
      const page = await get(`/api/v1/courses/${course}/assignments?per_page=${perPage}`);
      expect(((await page.json()) as unknown[]).length).toBe(1);
      expect(page.headers.get('link')).toContain('per_page=1');
    }
  });
});

describe('control over HTTP', () => {
  const control = (name: string, body: string, method = 'POST') =>
    fetch(`${emulator.url}/_emulator/${name}`, { method, body: method === 'POST' ? body : null });

  it('calls a control method with JSON arguments and answers its result', async () => {
    const created = await control('createCourse', JSON.stringify([{ name: 'History', courseCode: 'H 1' }]));
    expect(created.status).toBe(200);
    const { result } = (await created.json()) as { result: number };
    expect(emulator.control.state.courses.get(result)?.name).toBe('History');
    const counts = await control('requestCounts', '');
    expect(await counts.json()).toEqual({ result: emulator.control.requestCounts() });
  });

  it('answers 400 with an error code for unknown, inherited or non-method names and bad bodies', async () => {
    const cases: Array<[string, string, string]> = [
      ['noSuchThing', '[]', 'unknownOperation'],
      ['constructor', '[]', 'unknownOperation'],
      ['state', '[]', 'unknownOperation'],
      ['resetCounts', '{"a":1}', 'badBody'],
      ['resetCounts', 'not json', 'badBody'],
      ['createCourse', '[]', 'badArguments'],
      // No demo student in an empty seed: the method refuses, saying why.
      ['approveConsent', '["http://127.0.0.1/login/oauth2/auth"]', 'rejected'],
    ];
    for (const [name, body, code] of cases) {
      const answer = await control(name, body);
      expect([
        name,
        answer.status,
        ((await answer.json()) as { error: { code: string } }).error.code,
      ]).toEqual([name, 400, code]);
    }
    expect((await control('resetCounts', '', 'GET')).status).toBe(405);
  });

  it('drives faults from outside: a throttled answer after throttleNext', async () => {
    expect((await control('throttleNext', '[1]')).status).toBe(200);
    expect((await get('/api/v1/users/self')).status).toBe(403);
    expect((await get('/api/v1/users/self')).status).toBe(200);
  });
});
