import { describe, expect, it } from 'vitest';
import { createCanvasPageCache } from '../../src/canvas/canvas-page-cache.ts';
import { completeRead, tapFetch, useDemoCanvas } from '../support/canvas.ts';

const { emulator, demo, client } = useDemoCanvas();

/**
 * Issue 18: the planner answers `If-None-Match` with 304 from its cache key, without building
 * the list (canvas-lms app/controllers/planner_controller.rb#index). A read asks every page
 * again (nothing is skipped, so nothing is missed); a 304 only says the stored page still holds.
 */
describe('conditional Canvas requests', () => {
  const plannerRequests: string[] = [];
  // Canvas's planner sets Link only when it builds the list: its 304 has none.
  const asCanvas = tapFetch((url, response) => {
    if (url.pathname !== '/api/v1/planner/items') return response;
    plannerRequests.push(String(response.status));
    if (response.status !== 304) return response;
    const headers = new Headers(response.headers);
    headers.delete('link');
    return new Response(null, { status: 304, headers });
  });

  it('an unchanged planner answers 304 on every page, and the read is the same item for item', async () => {
    plannerRequests.length = 0;
    const pages = createCanvasPageCache().scope('student');
    // 10 a page, so the planner's next links must come from the stored pages.
    const first = client({ pages, fetch: asCanvas, perPage: 10 });
    const before = completeRead(await first.readDueItems());
    const plannerPages = plannerRequests.length;
    expect(plannerPages).toBeGreaterThan(2);
    expect(first.notModified).toBe(0);

    const second = client({ pages, fetch: asCanvas, perPage: 10 });
    const after = completeRead(await second.readDueItems());
    expect(plannerRequests.slice(plannerPages)).toEqual(Array(plannerPages).fill('304'));
    expect(second.notModified).toBe(plannerPages);
    expect(second.requests).toBe(first.requests);
    expect(after).toEqual(before);
  });

  it('a due date changed in Canvas after a cheap read is read again in full', async () => {
    const pages = createCanvasPageCache().scope('student');
    completeRead(await client({ pages }).readDueItems());
    const again = client({ pages });
    completeRead(await again.readDueItems());
    expect(again.notModified).toBeGreaterThan(0);

    const { state } = emulator.control;
    const homework = [...state.assignments.values()].find(
      (a) => a.name === 'Homework 3' && demo().courseIds.includes(a.courseId),
    );
    if (!homework?.dueAt) throw new Error('the demo seed has no dated Homework 3');
    const moved = new Date(Date.parse(homework.dueAt) + 86_400_000).toISOString();
    emulator.control.updateAssignment(homework.id, { dueAt: moved });

    const changed = client({ pages });
    const read = completeRead(await changed.readDueItems());
    const item = read.items.find((i) => i.key === `assignment:${homework.courseId}:${homework.id}`);
    expect(item?.dueAt).toBe(moved);
    expect(changed.notModified).toBe(0);
  });

  it('pages are kept per student and within the byte bound, least recently used out first', () => {
    const cache = createCanvasPageCache({ maxBytes: 40 });
    const ada = cache.scope('ada');
    const ben = cache.scope('ben');
    ada.set('u1', { etag: 'a', text: '[1,2,3,4,5,6,7,8]', link: null });
    expect(ben.get('u1')).toBeUndefined();
    ben.set('u1', { etag: 'b', text: '[1,2,3,4,5,6,7,8]', link: null });
    expect(ada.get('u1')?.etag).toBe('a');
    ben.set('u2', { etag: 'c', text: '[1,2,3]', link: null });
    // ben's u1 was the least recently used: it went to make room.
    expect(ben.get('u1')).toBeUndefined();
    expect(ada.get('u1')?.etag).toBe('a');
    expect(cache.bytes).toBeLessThanOrEqual(40);
  });
});
