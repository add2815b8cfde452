import { beforeEach, describe, expect, it } from 'vitest';
import { canvasGetter, enrollAda, useCanvasEmulator } from '../support/canvas.ts';

const emulator = useCanvasEmulator({ seed: 'empty' });
let token = '';
let course = 0;

beforeEach(() => {
  ({ token, course } = enrollAda(emulator.control));
  for (let i = 0; i < 5; i++)
    emulator.control.addAssignment(course, { name: `A${i}`, dueAt: '2026-12-10T17:00:00Z' });
});

const get = canvasGetter(emulator, () => token, 'faults-test');

describe('scripted faults', () => {
  it('fails a later page of a listing, not its first page', async () => {
    emulator.control.failPage(`/api/v1/courses/${course}/assignments`, { status: 500 });
    const first = await get(`/api/v1/courses/${course}/assignments?per_page=2`);
    expect(first.status).toBe(200);
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '')?.[1] ?? '';
    expect((await get(next)).status).toBe(500);
    expect((await get(next)).status).toBe(200);
  });

  it('revokes a token after N answered requests, as if the student logged out mid-sync', async () => {
    emulator.control.revokeTokenAfter(token, 2);
    expect((await get('/api/v1/users/self')).status).toBe(200);
    expect((await get('/api/v1/users/self')).status).toBe(200);
    const dead = await get('/api/v1/users/self');
    expect(dead.status).toBe(401);
    expect(dead.headers.get('www-authenticate')).toBe('Bearer realm="canvas-lms"');
  });

  it('delays answers by the set latency', async () => {
    emulator.control.setLatency(40);
    const started = performance.now();
    expect((await get('/api/v1/users/self')).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
  });

  it('replays the same random faults from the same seed', async () => {
    const run = async () => {
      emulator.control.randomFaults({ seed: 7, throttleRate: 0.3, serverErrorRate: 0.3 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await get('/api/v1/users/self')).status);
      emulator.control.randomFaults(null);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(first).toContain(403);
    expect(first.some((s) => s >= 500)).toBe(true);
    expect(first).toContain(200);
  });
});

describe('throttling', () => {
  it('reports what is left of the bucket and throttles past the high-water mark', async () => {
    emulator.control.fillBucket(token, 600);
    const low = await get('/api/v1/users/self');
    expect(Number(low.headers.get('x-rate-limit-remaining'))).toBe(99);
    emulator.control.fillBucket(token, 660);
    const throttled = await get('/api/v1/users/self');
    expect(throttled.status).toBe(403);
    expect(await throttled.text()).toBe('403 Forbidden (Rate Limit Exceeded)\n');
  });

  it('charges more for a page of many items and counts cost units per answer', async () => {
    emulator.control.resetCounts();
    const single = await get('/api/v1/users/self');
    const page = await get(`/api/v1/courses/${course}/assignments?per_page=100`);
    expect(Number(single.headers.get('x-request-cost'))).toBe(1);
    expect(Number(page.headers.get('x-request-cost'))).toBeCloseTo(1.1);
    expect(emulator.control.requestCounts()).toMatchObject({ total: 2, cost: 2.1 });
  });
});
