import { describe, expect, it } from 'vitest';
import { startCanvasEmulator } from '../../emulators/canvas/index.ts';
import { canvasGetter, CANVAS_NOW as NOW, useCanvasEmulator } from '../support/canvas.ts';

const emulator = useCanvasEmulator({ per: 'file' });

const token = () => emulator.control.demo?.token ?? '';
const get = canvasGetter(emulator, token, 'canvas-emulator-test');

describe('auth', () => {
  it('answers a dead token with 401, the Bearer realm and Canvas error body', async () => {
    const res = await get('/api/v1/users/self', { authorization: 'Bearer nope' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="canvas-lms"');
    expect(await res.json()).toEqual({ errors: [{ message: 'Invalid access token.' }] });
  });

  it('answers an expired token with 401', async () => {
    const userId = emulator.control.createUser('Old Token', 'America/Chicago');
    const expired = emulator.control.issueToken(userId, { expiresAt: NOW - 1 });
    const res = await get('/api/v1/users/self', { authorization: `Bearer ${expired}` });
    expect(res.status).toBe(401);
  });

  it('refuses a request without a User-Agent with 403', async () => {
    const res = await fetch(`${emulator.url}/api/v1/users/self`, {
      headers: { authorization: `Bearer ${token()}`, 'user-agent': '' },
    });
    expect(res.status).toBe(403);
  });

  it('answers an unknown course with 404 and the Canvas message', async () => {
    const res = await get('/api/v1/courses/999999/assignments');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ errors: [{ message: 'The specified resource does not exist.' }] });
  });
  it('answers another course with 401 unauthorized and no WWW-Authenticate', async () => {
    const courseId = emulator.control.createCourse({ name: 'Not yours', courseCode: 'NY1' });
    const res = await get(`/api/v1/courses/${courseId}/assignments`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await res.json()).toEqual({
      status: 'unauthorized',
      errors: [{ message: 'user not authorized to perform that action' }],
    });
  });
});

describe('pagination', () => {
  it('clamps per_page to 100 and writes absolute links in a lower-case link header', async () => {
    const res = await get('/api/v1/courses?per_page=500');
    expect(res.status).toBe(200);
    const link = res.headers.get('link') ?? '';
    expect(link).toContain('per_page=100');
    expect(link).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/api\/v1\/courses\?/);
    expect(link).toContain('rel="current"');
    expect(link).toContain('rel="first"');
  });

  it('follows next links through every page', async () => {
    const courseId = emulator.control.demo?.courseIds[0];
    let next: string | undefined = `${emulator.url}/api/v1/courses/${courseId}/assignments?per_page=1`;
    let pages = 0;
    let items = 0;
    while (next) {
      const res = await get(next.slice(emulator.url.length));
      const body = (await res.json()) as unknown[];
      expect(body.length).toBeLessThanOrEqual(1);
      items += body.length;
      pages += 1;
      next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    }
    expect(pages).toBe(Math.max(1, items));
  });
});

describe('ids and throttling', () => {
  it('returns ids as strings under application/json+canvas-string-ids', async () => {
    const res = await get('/api/v1/users/self', { accept: 'application/json+canvas-string-ids' });
    const body = (await res.json()) as { id: unknown };
    expect(typeof body.id).toBe('string');
    const plain = (await (await get('/api/v1/users/self')).json()) as { id: unknown };
    expect(typeof plain.id).toBe('number');
  });

  it('carries X-Request-Cost and throttles with a plain-text 403', async () => {
    const ok = await get('/api/v1/users/self');
    expect(ok.headers.get('x-request-cost')).not.toBeNull();
    expect(ok.headers.get('x-rate-limit-remaining')).not.toBeNull();
    emulator.control.throttleNext(1);
    const res = await get('/api/v1/users/self');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('403 Forbidden (Rate Limit Exceeded)\n');
  });

  it('fails the next requests under a path prefix, then recovers', async () => {
    emulator.control.failNext('/api/v1/users/self', 503, 1);
    expect((await get('/api/v1/users/self')).status).toBe(503);
    expect((await get('/api/v1/users/self')).status).toBe(200);
    emulator.control.failNext('/api/v1/users/self', { status: 502, count: 2 });
    expect((await get('/api/v1/users/self')).status).toBe(502);
    expect((await get('/api/v1/users/self')).status).toBe(502);
    expect((await get('/api/v1/users/self')).status).toBe(200);
  });
});

describe('student view', () => {
  it('shows the student their own override as due_at', async () => {
    const userId = emulator.control.createUser('Override Student', 'America/Chicago');
    const own = emulator.control.issueToken(userId);
    const courseId = emulator.control.createCourse({ name: 'Override 101', courseCode: 'OV101' });
    emulator.control.enroll(userId, courseId);
    const id = emulator.control.addAssignment(courseId, { name: 'Essay', dueAt: '2026-12-10T05:59:59Z' });
    emulator.control.setOverride(id, userId, '2026-12-12T05:59:59Z');
    const res = await get(`/api/v1/courses/${courseId}/assignments`, { authorization: `Bearer ${own}` });
    const [essay] = (await res.json()) as Array<{ due_at: string }>;
    expect(essay?.due_at).toBe('2026-12-12T05:59:59Z');
  });

  it('honours at most 10 context codes on calendar_events', async () => {
    const userId = emulator.control.createUser('Many Courses', 'America/Chicago');
    const own = emulator.control.issueToken(userId);
    const codes: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const courseId = emulator.control.createCourse({ name: `C${i}`, courseCode: `C${i}` });
      emulator.control.enroll(userId, courseId);
      emulator.control.addCalendarEvent(courseId, {
        title: `Event ${i}`,
        startAt: '2026-12-05T15:00:00Z',
        endAt: '2026-12-05T16:00:00Z',
        allDay: false,
        allDayDate: null,
      });
      codes.push(`context_codes[]=course_${courseId}`);
    }
    const res = await get(`/api/v1/calendar_events?all_events=true&per_page=100&${codes.join('&')}`, {
      authorization: `Bearer ${own}`,
    });
    expect(((await res.json()) as unknown[]).length).toBe(10);
  });
});

describe('seeds', () => {
  it('starts empty when asked', async () => {
    const empty = await startCanvasEmulator({ seed: 'empty', now: () => NOW });
    try {
      expect(empty.control.demo).toBeUndefined();
    } finally {
      await empty.close();
    }
  });
});

describe('expectedDueItems', () => {
  it('lists the demo student’s work once each, with the override and end-of-day as all-day', () => {
    const userId = emulator.control.demo?.userId ?? 0;
    const items = emulator.control.expectedDueItems(userId);
    expect(new Set(items.map((i) => `${i.kind}:${i.courseId}:${i.id}`)).size).toBe(items.length);
    expect(items.some((i) => i.kind === 'quiz')).toBe(true);
    expect(items.some((i) => i.kind === 'calendar_event' && i.allDay)).toBe(true);
    expect(items.some((i) => i.dueAt === null)).toBe(true);
    const project = items.find((i) => i.title === 'Final project');
    const assignment = [...emulator.control.state.assignments.values()].find(
      (a) => a.name === 'Final project',
    );
    expect(project?.dueAt).toBe(assignment?.overrides.get(userId));
    expect(project?.allDay).toBe(true);
  });
});
