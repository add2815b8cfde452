import { describe, expect, it } from 'vitest';
import type { DueItemsRead } from '../../src/sync/due-items-source.ts';
import type { SourceItem } from '../../src/sync/source-item.ts';
import { completeRead as complete, tapFetch, useDemoCanvas } from '../support/canvas.ts';

const { emulator, sleeps, demo, client } = useDemoCanvas();

/** `${courseId}:${id}` → due instant (null when undated), as the client read it. */
const byKey = (read: DueItemsRead) => {
  const r = complete(read);
  const all: Array<Omit<SourceItem, 'dueAt'> & { dueAt?: string }> = [...r.items, ...r.undated];
  return new Map(
    all.map((i) => [
      i.key.split(':').slice(1).join(':'),
      { ...i, due: i.dueAt ? Date.parse(i.dueAt) : null },
    ]),
  );
};
const truth = () =>
  new Map(
    emulator.control
      .expectedDueItems(demo().userId)
      .map((t) => [`${t.courseId}:${t.id}`, { ...t, due: t.dueAt ? Date.parse(t.dueAt) : null }]),
  );

describe("the demo student's full read", () => {
  it('equals the emulator’s truth: keys, kinds, due dates, all-day dates and submitted work', async () => {
    const got = byKey(await client().readDueItems());
    const expected = truth();
    expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [key, t] of expected) {
      const item = got.get(key);
      expect({
        key,
        kind: item?.kind,
        due: item?.due,
        allDayDate: item?.allDayDate,
        submitted: item?.submitted,
      }).toEqual({
        key,
        kind: t.kind,
        due: t.due,
        allDayDate: t.allDayDate,
        submitted: t.submitted,
      });
    }
  });

  it('dedupes quizzes and graded discussions to their assignment, with the kind saying which', async () => {
    const read = complete(await client().readDueItems());
    const quizAssignments = [...emulator.control.state.quizzes.values()]
      .filter((q) => q.assignmentId !== null && demo().courseIds.includes(q.courseId))
      .map((q) => `assignment:${q.courseId}:${q.assignmentId}`);
    const quizzes = read.items.filter((i) => i.kind === 'quiz').map((i) => i.key);
    expect(quizzes.sort()).toEqual(quizAssignments.sort());
    const discussions = read.items.filter((i) => i.kind === 'discussion').map((i) => i.key);
    expect(discussions.filter((k) => k.startsWith('assignment:'))).toHaveLength(5);
    expect(new Set(read.items.map((i) => i.key)).size).toBe(read.items.length);
  });

  it('includes the ungraded discussions whose to-do date only the planner knows, keyed by topic', async () => {
    const read = complete(await client().readDueItems());
    const todos = read.items.filter((i) => i.key.startsWith('discussion_topic:'));
    expect(todos.map((i) => i.title).sort()).toEqual(['Peer review pairs', 'Project team formation']);
    for (const todo of todos) {
      const [, courseId, id] = todo.key.split(':');
      const topic = emulator.control.state.discussions.get(Number(id));
      expect({ kind: todo.kind, course: courseId, dueAt: Date.parse(todo.dueAt) }).toEqual({
        kind: 'discussion',
        course: String(topic?.courseId),
        dueAt: Date.parse(topic?.todoDate ?? ''),
      });
      expect(todo.htmlUrl).toBe(`${emulator.url}/courses/${courseId}/discussion_topics/${id}`);
    }
    // Planner notes and announcements are not the student's work; an undated topic has no date.
    expect(read.items.some((i) => i.title === 'Introduce yourself')).toBe(false);
  });

  it('keeps a practice quiz with a due date, which only the planner dates, as a quiz of its own', async () => {
    const course = demo().courseIds[1] ?? 0;
    const { id } = emulator.control.addQuiz(course, {
      title: 'Practice: acids and bases',
      dueAt: '2026-12-05T15:00:00Z',
      pointsPossible: 3,
      practice: true,
    });
    const got = byKey(await client({ perPage: 5 }).readDueItems());
    expect(got.get(`${course}:${id}`)).toMatchObject({
      key: `quiz:${course}:${id}`,
      kind: 'quiz',
      dueAt: '2026-12-05T15:00:00.000Z',
      pointsPossible: 3,
      htmlUrl: `${emulator.url}/courses/${course}/quizzes/${id}`,
    });
    expect([...got.keys()].sort()).toEqual([...truth().keys()].sort());
  });

  it('costs 9 requests (courses, planner, 5 × assignments, 2 calendar batches) and reports cost units', async () => {
    emulator.control.resetCounts();
    const c = client();
    complete(await c.readDueItems());
    const counts = emulator.control.requestCounts();
    expect(c.requests).toBe(9);
    expect(counts.total).toBe(9);
    expect(counts.byRoute['/api/v1/planner/items']).toBe(1);
    expect(c.costUnits).toBe(counts.cost);
    expect(c.costUnits).toBeGreaterThan(9);
  });
});

describe('all-day mapping', () => {
  it('takes the local date from all_day_date, not from the UTC instant', async () => {
    const read = complete(await client().readDueItems());
    // Homework 3 of CS 101 is due at 23:59:59 in Chicago: the next day in UTC.
    const hw = read.items.find((i) => i.courseId === String(demo().courseIds[0]) && i.title === 'Homework 3');
    expect(hw?.allDay).toBe(true);
    expect(hw?.dueAt.slice(0, 10)).not.toBe(hw?.allDayDate);
    expect(hw?.allDayDate).toBe('2026-12-02');
    const event = read.items.find((i) => i.title === 'No class: reading day');
    expect(event).toMatchObject({ allDay: true, allDayDate: '2026-12-11' });
    const quiz = read.items.find((i) => i.kind === 'quiz');
    expect(quiz).toMatchObject({ allDay: false, allDayDate: null });
  });

  it('does not call a deadline all-day when the all-day entry is for an older due date', async () => {
    const hw = [...emulator.control.state.assignments.values()].find((a) => a.name === 'Homework 4');
    const stale = tapFetch(async (url, response) => {
      if (url.searchParams.get('type') !== 'assignment' || !hw) return response;
      const body = (await response.json()) as Array<{ id: string; start_at: string }>;
      for (const e of body) if (e.id === `assignment_${hw.id}`) e.start_at = '2026-01-01T05:59:59Z';
      return Response.json(body, { headers: response.headers });
    });
    const read = complete(await client({ fetch: stale }).readDueItems());
    expect(read.items.find((i) => i.key.endsWith(`:${hw?.id}`))).toMatchObject({
      allDay: false,
      allDayDate: null,
    });
  });
});

describe('pagination', () => {
  it('reads every page to the end, with numbered and bookmark links alike', async () => {
    emulator.control.resetCounts();
    const small = client({ perPage: 3 });
    const got = byKey(await small.readDueItems());
    expect([...got.keys()].sort()).toEqual([...truth().keys()].sort());
    const counts = emulator.control.requestCounts().byRoute;
    expect(counts['/api/v1/planner/items']).toBeGreaterThan(20);
    expect(counts['/api/v1/courses/:id/assignments']).toBeGreaterThan(20);
  });

  it('reads the planner to its last page: cut its pagination and the to-dos on later pages go missing', async () => {
    const whole = byKey(await client({ perPage: 2 }).readDueItems());
    expect([...whole.keys()].sort()).toEqual([...truth().keys()].sort());
    // The same read with the planner's next links dropped: the comparison above would fail.
    const firstPageOnly = tapFetch((url, response) => {
      if (url.pathname !== '/api/v1/planner/items') return response;
      const headers = new Headers(response.headers);
      headers.delete('link');
      return new Response(response.body, { status: response.status, headers });
    });
    const cut = byKey(await client({ perPage: 2, fetch: firstPageOnly }).readDueItems());
    expect([...cut.keys()].sort()).not.toEqual([...truth().keys()].sort());
    expect(truth().size - cut.size).toBeGreaterThan(0);
  });

  it('reports incomplete when a next link repeats or leaves the Canvas host', async () => {
    for (const target of ['same', 'https://canvas.evil.example/api/v1/planner/items'] as const) {
      const odd = tapFetch((url, response) => {
        if (url.pathname !== '/api/v1/planner/items') return response;
        const next = target === 'same' ? url.href : target;
        const headers = new Headers(response.headers);
        headers.set('link', `<${next}>; rel="next"`);
        return new Response(response.body, { status: response.status, headers });
      });
      const read = await client({ fetch: odd }).readDueItems();
      expect(read).toMatchObject({ complete: false, failure: { code: 'incomplete' } });
    }
  });
});

describe('relative and unreadable next links', () => {
  /** The planner's next links rewritten by `rewrite` (given the absolute one Canvas sent). */
  const plannerLinks = (rewrite: (next: URL) => string) =>
    tapFetch((url, response) => {
      const link = response.headers.get('link');
      const next = /<([^>]+)>;\s*rel="next"/.exec(link ?? '')?.[1];
      if (url.pathname !== '/api/v1/planner/items' || next === undefined) return response;
      const headers = new Headers(response.headers);
      headers.set('link', `<${rewrite(new URL(next))}>; rel="next"`);
      return new Response(response.body, { status: response.status, headers });
    });

  it('resolves a relative next link against the page, as a browser does, and reads to the end', async () => {
    for (const rewrite of [(n: URL) => `${n.pathname}${n.search}`, (n: URL) => n.search]) {
      emulator.control.resetCounts();
      const got = byKey(await client({ perPage: 2, fetch: plannerLinks(rewrite) }).readDueItems());
      expect([...got.keys()].sort()).toEqual([...truth().keys()].sort());
      expect(emulator.control.requestCounts().byRoute['/api/v1/planner/items']).toBeGreaterThan(10);
    }
  });

  it('still refuses a relative next link that leads to another host', async () => {
    const read = await client({
      perPage: 2,
      fetch: plannerLinks((n) => `//canvas.evil.example${n.pathname}${n.search}`),
    }).readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'incomplete' } });
  });

  it('calls a next link that is no URL at all incomplete, naming what it was reading', async () => {
    const read = await client({
      perPage: 2,
      fetch: plannerLinks(() => 'http://exa mple.edu/api/v1/planner/items'),
    }).readDueItems();
    expect(read).toEqual({
      complete: false,
      failure: {
        code: 'incomplete',
        message:
          'Canvas sent a next link that is not a URL while trying to list your planner items (/api/v1/planner/items); sync again later',
      },
    });
  });
});

describe('throttling', () => {
  it('waits out throttled 403s with backoff and jitter, then reads everything', async () => {
    emulator.control.throttleNext(2);
    const got = byKey(await client().readDueItems());
    expect(got.size).toBe(truth().size);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('slows down while X-Rate-Limit-Remaining is low, by the time the bucket needs to leak back', async () => {
    emulator.control.fillBucket(demo().token, 600);
    const c = client();
    complete(await c.readDueItems());
    // 700 − 600 − 1.12 units of the first request (the courses page: 1 + 6 × 0.02) = 98.88
    // left, written as a float as Canvas does: 51.12 units at 10 a second.
    expect(sleeps[0]).toBe(5112);
    expect(sleeps).toHaveLength(c.requests);
    expect(sleeps.every((ms, i) => i === 0 || ms >= (sleeps[i - 1] ?? 0))).toBe(true);
  });

  it('does not pause while the bucket is comfortable', async () => {
    complete(await client().readDueItems());
    expect(sleeps).toEqual([]);
  });

  it('one request at a time is never throttled where a parallel reader is', async () => {
    emulator.control.setLatency(20);
    emulator.control.fillBucket(demo().token, 600);
    const statuses: number[] = [];
    const watching = tapFetch((_url, response) => {
      statuses.push(response.status);
      return response;
    });
    complete(await client({ fetch: watching }).readDueItems());
    expect(statuses.length).toBeGreaterThan(5);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);

    // The same bucket, the same requests, three at once: the up-front charges add up past 700.
    emulator.control.fillBucket(demo().token, 600);
    const headers = { authorization: `Bearer ${demo().token}`, 'user-agent': 'parallel-reader' };
    const parallel = await Promise.all(
      demo()
        .courseIds.slice(0, 3)
        .map((id) => fetch(`${emulator.url}/api/v1/courses/${id}/assignments?per_page=100`, { headers })),
    );
    expect(parallel.map((r) => r.status)).toContain(403);
  });

  it('gives up as rate_limited when Canvas keeps throttling', async () => {
    emulator.control.throttleNext(5);
    expect(await client().readDueItems()).toMatchObject({
      complete: false,
      failure: { code: 'rate_limited' },
    });
    expect(sleeps).toHaveLength(4);
  });
});

describe('error paths', () => {
  it('a dead token: token_invalid, by WWW-Authenticate', async () => {
    emulator.control.revokeToken(demo().token);
    expect(await client().readDueItems()).toMatchObject({
      complete: false,
      failure: {
        code: 'token_invalid',
        message:
          'Canvas rejected the access token while trying to list your courses (401): it is invalid or expired; reconnect Canvas',
      },
    });
  });

  it('a token revoked mid-sync: token_invalid, not a shorter list', async () => {
    emulator.control.revokeTokenAfter(demo().token, 4);
    expect(await client().readDueItems()).toMatchObject({
      complete: false,
      failure: { code: 'token_invalid' },
    });
  });

  it('a missing permission (dropped from a course mid-sync): forbidden, not retried', async () => {
    const [first] = demo().courseIds;
    const dropping = tapFetch((url, response) => {
      if (url.pathname === '/api/v1/courses')
        emulator.control.state.enrollments.get(demo().userId)?.delete(first ?? 0);
      return response;
    });
    emulator.control.resetCounts();
    const read = await client({ fetch: dropping }).readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'forbidden' } });
    const name = emulator.control.state.courses.get(first ?? 0)?.name;
    if (!read.complete)
      expect(read.failure.message).toBe(
        `Canvas refused to list assignments for ${name} (course ${first}) (401 unauthorized): check that you are still enrolled there`,
      );
    expect(emulator.control.requestCounts().byRoute['/api/v1/courses/:id/assignments']).toBe(1);
  });

  it('a course deleted mid-sync: not_found', async () => {
    const [, second] = demo().courseIds;
    const deleting = tapFetch((url, response) => {
      if (url.pathname === '/api/v1/courses') emulator.control.state.courses.delete(second ?? 0);
      return response;
    });
    const read = await client({ fetch: deleting }).readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'not_found' } });
    if (!read.complete)
      expect(read.failure.message).toMatch(
        /^Canvas found nothing when trying to list assignments for .* \(course \d+\) \(404\); it may have been deleted/,
      );
  });

  it('a later page of a listing that is gone (404): incomplete, not not_found', async () => {
    const course = demo().courseIds[2];
    emulator.control.failPage(`/api/v1/courses/${course}/assignments`, { status: 404, count: 1 });
    const read = await client({ perPage: 5 }).readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'incomplete' } });
    if (!read.complete) expect(read.failure.message).toContain('(page 2)');
  });

  it('another 403 is not retried', async () => {
    emulator.control.failNext('/api/v1/planner/items', 403, 1);
    expect(await client().readDueItems()).toMatchObject({
      complete: false,
      failure: {
        code: 'forbidden',
        message: 'Canvas refused to list your planner items (403); check that the token may read it',
      },
    });
    expect(sleeps).toEqual([]);
  });

  it('a page failing halfway through a listing: incomplete, naming the listing', async () => {
    const course = demo().courseIds[2];
    emulator.control.failPage(`/api/v1/courses/${course}/assignments`, { status: 500, count: 5 });
    const read = await client({ perPage: 5 }).readDueItems();
    expect(read).toEqual({
      complete: false,
      failure: {
        code: 'incomplete',
        message: `Canvas stopped answering partway through /api/v1/courses/${course}/assignments (page 2): Canvas failed to list assignments for ${emulator.control.state.courses.get(course ?? 0)?.name} (course ${course}) (HTTP 500, 5 tries); try again later`,
      },
    });
  });

  it('a page failing briefly halfway is retried and the read is whole', async () => {
    emulator.control.failPage(`/api/v1/courses/${demo().courseIds[2]}/assignments`, {
      status: 502,
      count: 2,
    });
    const got = byKey(await client({ perPage: 5 }).readDueItems());
    expect(got.size).toBe(truth().size);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('Canvas failing from the first page on: unavailable', async () => {
    emulator.control.failNext('/api/v1/courses', 503, 10);
    expect(await client().readDueItems()).toEqual({
      complete: false,
      failure: {
        code: 'unavailable',
        message: 'Canvas failed to list your courses (HTTP 503, 5 tries); try again later',
      },
    });
  });

  it('a malformed answer: malformed_response naming the field and the route', async () => {
    const broken = tapFetch(async (url, response) => {
      if (!url.pathname.endsWith('/assignments')) return response;
      const body = (await response.json()) as Array<Record<string, unknown>>;
      if (body[1]) body[1].due_at = 'next Tuesday';
      return Response.json(body, { headers: response.headers });
    });
    const read = await client({ fetch: broken }).readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'malformed_response' } });
    if (!read.complete)
      expect(read.failure.message).toMatch(/\[1\]\.due_at in \/api\/v1\/courses\/\d+\/assignments$/);
  });

  it('never puts the token in a failure message', async () => {
    emulator.control.revokeToken(demo().token);
    const read = await client().readDueItems();
    expect(JSON.stringify(read)).not.toContain(demo().token);
  });
});
