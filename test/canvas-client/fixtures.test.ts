import { expect, it } from 'vitest';
import { createCanvasClient, nextLink } from '../../src/canvas/canvas-client.ts';
import type { DueItemsRead } from '../../src/sync/due-items-source.ts';
import { describeWithFixtures, hasFixtures, readFixture, readJsonFixture } from '../support/fixtures.ts';

// Real responses (kanbasu: captured from a live Canvas; canvasapi: request stubs) served by a
// fake `fetch` as if from the Canvas host they name. Nothing here edits or copies them.

const TOKEN = 'fixture-token-7e1d';

interface Reply {
  status?: number;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

interface CanvasapiStub {
  method: string;
  endpoint: string;
  data: unknown;
  status_code?: number;
  headers?: Record<string, string>;
}

type Assignment = Record<string, unknown> & { id: number; name: string; due_at: string | null };

// Listings the client may read that these fixtures do not cover answer empty, as for a student
// with no quizzes, discussions or calendar events: the tests stay true as the client grows.
const EMPTY_LISTING =
  /^\/api\/v1\/(calendar_events|planner\/items|users\/self\/[a-z_]+|courses\/[^/]+\/(assignments|quizzes|discussion_topics|calendar_events))$/;
const NOT_FOUND = { errors: [{ message: 'The specified resource does not exist.' }] };

/**
 * A Canvas host that answers from a route table: the exact path and query first, then the
 * path alone. A list of replies is played in order, the last one repeating. Like Canvas it
 * refuses a request without a User-Agent (403) or with another token (401, dead token).
 */
function fakeCanvas(origin: string, routes: Record<string, Reply | Reply[]>) {
  const requests: Array<{ url: string; headers: Headers }> = [];
  const played = new Map<string, number>();
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input));
    const headers = new Headers(init?.headers);
    requests.push({ url: url.href, headers });
    if (url.origin !== origin) throw new TypeError(`fetch failed: ${url.host} is not this Canvas`);
    if (!headers.get('user-agent')) return new Response('', { status: 403 });
    if (headers.get('authorization') !== `Bearer ${TOKEN}`) {
      return reply({
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="canvas-lms"' },
        json: { errors: [{ message: 'Invalid access token.' }] },
      });
    }
    const key = [`${url.pathname}${url.search}`, url.pathname].find((k) => k in routes);
    const route = key === undefined ? undefined : routes[key];
    if (route === undefined) {
      return reply(EMPTY_LISTING.test(url.pathname) ? { json: [] } : { status: 404, json: NOT_FOUND });
    }
    const list = Array.isArray(route) ? route : [route];
    const index = played.get(key ?? '') ?? 0;
    played.set(key ?? '', index + 1);
    return reply(list[Math.min(index, list.length - 1)] ?? {});
  };
  return {
    fetch,
    requests,
    paths: () => requests.map((r) => new URL(r.url).pathname + new URL(r.url).search),
  };
}

function reply(r: Reply): Response {
  const body = r.text ?? JSON.stringify(r.json ?? null);
  const type: Record<string, string> =
    r.text === undefined ? { 'content-type': 'application/json; charset=utf-8' } : {};
  return new Response(body, { status: r.status ?? 200, headers: { ...type, ...r.headers } });
}

function clientOn(host: ReturnType<typeof fakeCanvas>, baseUrl: string, sleeps: number[] = []) {
  return createCanvasClient({
    baseUrl,
    token: TOKEN,
    fetch: host.fetch,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0,
    attempts: 3,
    now: () => Date.parse('2021-03-01T00:00:00Z'),
  });
}

function complete(read: DueItemsRead) {
  if (!read.complete)
    throw new Error(`expected a complete read, got ${read.failure.code}: ${read.failure.message}`);
  return read;
}

/** A canvasapi stub as the reply Canvas would send (its relative endpoint under /api/v1/). */
function stub(file: string, name: string): { path: string; reply: Reply } {
  const s = readJsonFixture<Record<string, CanvasapiStub>>(`canvas/canvasapi/${file}`)[name];
  if (!s) throw new Error(`no stub ${name} in ${file}`);
  return {
    path: `/api/v1/${s.endpoint}`,
    reply: { status: s.status_code ?? 200, json: s.data, ...(s.headers ? { headers: s.headers } : {}) },
  };
}

const SJTU = 'https://oc.sjtu.edu.cn';
const linkHeaders = () => readFixture('canvas/kanbasu/link-headers.txt').split('\n').filter(Boolean);
const kanbasu = <T>(name: string) => readJsonFixture<T>(`canvas/kanbasu/${name}`);

describeWithFixtures('Canvas client on responses captured from a live Canvas (kanbasu)', () => {
  /** The two-page `/courses` listing as captured, each page with its own captured Link header. */
  const coursePages = (firstHeader = 'Link', secondHeader = 'link'): Record<string, Reply> => {
    const [first, second] = linkHeaders();
    return {
      '/api/v1/courses': { json: kanbasu('course_response.json'), headers: { [firstHeader]: first ?? '' } },
      '/api/v1/courses?page=2&per_page=10': {
        json: kanbasu('course_response_2.json'),
        headers: { [secondHeader]: second ?? '' },
      },
    };
  };

  it('parses assignments with due dates and submission states, keyed by the course they are listed under', async () => {
    const assignments = kanbasu<Assignment[]>('assignments.json');
    // Course 318720 gets the same assignments with real submissions embedded (as
    // include[]=submission does) and one made undated, as Canvas sends it: `due_at: null`.
    const graded = kanbasu<object>('submission.json');
    const missing = kanbasu<object>('unsubmitted_submission.json');
    const submitted = kanbasu<Array<{ workflow_state: string }>>('submissions.json').find(
      (s) => s.workflow_state === 'submitted',
    );
    const withState: Record<number, object | undefined> = { 86658: graded, 86660: submitted, 86668: missing };
    const second = assignments.map((a) =>
      a.id === 86661 ? { ...a, due_at: null } : { ...a, submission: withState[a.id] ?? a.submission },
    );
    const host = fakeCanvas(SJTU, {
      ...coursePages(),
      '/api/v1/courses/23333/assignments': { json: assignments },
      '/api/v1/courses/318720/assignments': { json: second },
    });

    const read = complete(await clientOn(host, SJTU).readDueItems());

    const byKey = new Map(read.items.map((i) => [i.key, i]));
    for (const a of assignments) {
      const item = byKey.get(`assignment:23333:${a.id}`);
      expect(item?.title).toBe(a.name);
      expect(Date.parse(item?.dueAt ?? '')).toBe(Date.parse(a.due_at ?? ''));
    }
    expect(byKey.get('assignment:23333:86658')).toMatchObject({
      kind: 'assignment',
      courseId: '23333',
      courseName: '概率统计',
      courseCode: '(2019-2020-1)-MA119-4-概率统计',
      title: '第一章作业',
      allDay: false,
      allDayDate: null,
      pointsPossible: 5,
      submitted: false, // its embedded submission is "unsubmitted"
      missing: false,
      htmlUrl: 'https://oc.sjtu.edu.cn/courses/31611/assignments/86658',
    });
    expect(Date.parse(byKey.get('assignment:23333:86658')?.dueAt ?? '')).toBe(
      Date.parse('2021-03-02T10:00:00Z'),
    );
    expect(byKey.get('assignment:318720:86658')).toMatchObject({ submitted: true, missing: false }); // graded
    expect(byKey.get('assignment:318720:86660')).toMatchObject({ submitted: true, missing: false }); // submitted
    expect(byKey.get('assignment:318720:86668')).toMatchObject({ submitted: false, missing: true });
    expect(byKey.get('assignment:318720:86665')).toMatchObject({ submitted: false, missing: false });
    expect(byKey.has('assignment:318720:86661')).toBe(false);
    expect(read.undated.map((i) => i.key)).toEqual(['assignment:318720:86661']);
    expect([...byKey.keys()].filter((k) => k.startsWith('assignment:')).sort()).toEqual(
      [
        ...assignments.map((a) => `assignment:23333:${a.id}`),
        ...assignments.filter((a) => a.id !== 86661).map((a) => `assignment:318720:${a.id}`),
      ].sort(),
    );
  });

  it("joins the captured planner page: announcements ignored, the planner's submitted state kept", async () => {
    // The captured assignments and planner items are course 31611's, so the course is listed under that id.
    const [course] = kanbasu<Array<Record<string, unknown>>>('course_response.json');
    const host = fakeCanvas(SJTU, {
      '/api/v1/courses': { json: [{ ...course, id: 31611 }] },
      '/api/v1/planner/items': { json: kanbasu('planners.json') },
      '/api/v1/courses/31611/assignments': { json: kanbasu('assignments.json') },
    });
    const read = complete(await clientOn(host, SJTU).readDueItems());
    expect(host.paths().some((p) => p.startsWith('/api/v1/planner/items?'))).toBe(true);
    const keys = read.items.map((i) => i.key).sort();
    expect(keys).toEqual(['86658', '86660', '86661', '86665', '86668'].map((id) => `assignment:31611:${id}`));
    // The embedded submission says "unsubmitted" (redacted by the capture's authors); the planner says submitted.
    expect(read.items.find((i) => i.key === 'assignment:31611:86658')).toMatchObject({
      submitted: true,
      missing: false,
    });
    expect(read.items.filter((i) => i.submitted)).toHaveLength(1);
  });

  it('follows the captured Link header to page 2 and stops where page 2 has no rel="next"', async () => {
    const host = fakeCanvas(SJTU, coursePages());
    complete(await clientOn(host, SJTU).readDueItems());
    const courseListings = host.paths().filter((p) => p.startsWith('/api/v1/courses?'));
    expect(courseListings).toHaveLength(2);
    // The second page is fetched exactly as the link gave it, not rebuilt.
    expect(courseListings[1]).toBe('/api/v1/courses?page=2&per_page=10');
    const coursesRead = new Set(
      host.paths().flatMap((p) => /^\/api\/v1\/courses\/(\d+)\//.exec(p)?.[1] ?? []),
    );
    // 23333 from page 1, 318720 from page 2; the date-restricted stub 233333 is skipped.
    expect([...coursesRead].sort()).toEqual(['23333', '318720']);
  });

  it.each([
    ['Link', 'link'],
    ['link', 'LINK'],
  ])('reads the header as %s on page 1 and %s on page 2 alike', async (first, second) => {
    const host = fakeCanvas(SJTU, coursePages(first, second));
    complete(await clientOn(host, SJTU).readDueItems());
    expect(host.paths()).toContain('/api/v1/courses/318720/assignments?include[]=submission&per_page=100');
  });

  it('calls a captured next link to another host, or back to a page already read, incomplete', async () => {
    // Configured as canvas.sjtu.edu.cn, the captured page 1 links to oc.sjtu.edu.cn: never followed.
    const otherHost = fakeCanvas('https://canvas.sjtu.edu.cn', {
      '/api/v1/courses': { json: kanbasu('course_response.json'), headers: { Link: linkHeaders()[0] ?? '' } },
    });
    const moved = await clientOn(otherHost, 'https://canvas.sjtu.edu.cn').readDueItems();
    expect(moved).toMatchObject({ complete: false, failure: { code: 'incomplete' } });
    expect(otherHost.requests.every((r) => r.url.startsWith('https://canvas.sjtu.edu.cn/'))).toBe(true);

    // Page 2 answered with page 1's header points at itself again.
    const [first] = linkHeaders();
    const loop = fakeCanvas(SJTU, {
      '/api/v1/courses': { json: kanbasu('course_response.json'), headers: { Link: first ?? '' } },
      '/api/v1/courses?page=2&per_page=10': {
        json: kanbasu('course_response_2.json'),
        headers: { Link: first ?? '' },
      },
    });
    const looped = await clientOn(loop, SJTU).readDueItems();
    expect(looped).toMatchObject({ complete: false, failure: { code: 'incomplete' } });
    expect(loop.paths().filter((p) => p === '/api/v1/courses?page=2&per_page=10')).toHaveLength(1);
  });

  it('parses the captured Link values: next on page 1, none on page 2, and next without rel="last"', () => {
    const [first, second] = linkHeaders();
    expect(nextLink(first ?? null)).toBe('https://oc.sjtu.edu.cn/api/v1/courses?page=2&per_page=10');
    expect(nextLink(second ?? null)).toBeUndefined();
    const withoutLast = (first ?? '')
      .split(',')
      .filter((part) => !part.includes('rel="last"'))
      .join(',');
    expect(withoutLast).not.toContain('last');
    expect(nextLink(withoutLast)).toBe('https://oc.sjtu.edu.cn/api/v1/courses?page=2&per_page=10');
    expect(nextLink(null)).toBeUndefined();
  });

  it('sends the token, a User-Agent and the string-ids Accept header on every request', async () => {
    const host = fakeCanvas(SJTU, coursePages());
    complete(await clientOn(host, SJTU).readDueItems());
    expect(host.requests.length).toBeGreaterThan(2);
    for (const { headers } of host.requests) {
      expect(headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
      expect(headers.get('user-agent')).toBeTruthy();
      expect(headers.get('accept')).toContain('application/json+canvas-string-ids');
    }
  });

  it('reports a listing that is an object, or an assignment missing a field, as a malformed answer naming it', async () => {
    const single = fakeCanvas(SJTU, { '/api/v1/courses': { json: kanbasu('single_course.json') } });
    const notAList = await clientOn(single, SJTU).readDueItems();
    expect(notAList).toMatchObject({ complete: false, failure: { code: 'malformed_response' } });

    const noDueAt = kanbasu<Assignment[]>('assignments.json').map(({ due_at: _dropped, ...rest }) => rest);
    const host = fakeCanvas(SJTU, {
      ...coursePages(),
      '/api/v1/courses/23333/assignments': { json: noDueAt },
    });
    const read = await clientOn(host, SJTU).readDueItems();
    if (read.complete) throw new Error('a malformed assignment was accepted');
    expect(read.failure.code).toBe('malformed_response');
    expect(read.failure.message).toContain('due_at');
  });
});

describeWithFixtures('Canvas client on canvasapi stubs: pagination and errors', () => {
  const EXAMPLE = 'https://example.com';

  it('follows a two-page courses listing (trailing-slash link) and reads every course', async () => {
    const page1 = stub('course.json', 'multiple');
    const page2 = stub('course.json', 'multiple_page_2');
    const assignment = kanbasu<Assignment[]>('assignments.json')[0];
    const routes: Record<string, Reply> = { '/api/v1/courses': page1.reply, [page2.path]: page2.reply };
    for (const id of [1, 2, 3, 4]) routes[`/api/v1/courses/${id}/assignments`] = { json: [assignment] };
    const host = fakeCanvas(EXAMPLE, routes);

    const read = complete(await clientOn(host, EXAMPLE).readDueItems());
    expect(read.items.map((i) => i.key).sort()).toEqual([1, 2, 3, 4].map((id) => `assignment:${id}:86658`));
    expect(read.items.find((i) => i.courseId === '3')).toMatchObject({
      courseCode: 'HAI5555',
      courseName: 'Hello 5555',
    });
    expect(host.paths()).toContain('/api/v1/courses/?page=2&per_page=2');
  });

  it.each([
    ['empty', ['empty'], 0],
    ['single', ['single'], 1],
    ['2_1_page', ['2_1_page'], 2],
    ['4_2_pages', ['4_2_pages_p1', '4_2_pages_p2'], 4],
    ['6_3_pages', ['6_3_pages_p1', '6_3_pages_p2', '6_3_pages_p3'], 6],
  ])('follows paginated_list %s to its end', async (_name, pages, count) => {
    const stubs = pages.map((p) => stub('paginated_list.json', p));
    const [first, ...rest] = stubs;
    const routes: Record<string, Reply> = { '/api/v1/courses': first?.reply ?? {} };
    for (const s of rest) routes[s.path] = s.reply;
    const host = fakeCanvas(EXAMPLE, routes);

    complete(await clientOn(host, EXAMPLE).readDueItems());
    const coursesRead = host
      .paths()
      .flatMap((p) => /^\/api\/v1\/courses\/(\d+)\/assignments/.exec(p)?.[1] ?? []);
    expect(coursesRead).toEqual(Array.from({ length: count }, (_, i) => String(i + 1)));
    // Each page once: no page is fetched twice, none is skipped.
    const pageRequests = host
      .paths()
      .filter((p) => p.split('?')[0] === '/api/v1/courses' || rest.some((s) => s.path === p));
    expect(pageRequests).toHaveLength(stubs.length);
  });

  it('reports the read incomplete (not not_found, not short) when the page its next link names is gone', async () => {
    const page1 = stub('paginated_list.json', '4_2_pages_p1');
    const host = fakeCanvas(EXAMPLE, { '/api/v1/courses': page1.reply });
    const read = await clientOn(host, EXAMPLE).readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'incomplete' } });
  });

  it('reads a listing paginated in the body (meta.pagination), not an array, as malformed', async () => {
    const page = stub('paginated_list.json', 'no_header_4_2_pages_p1');
    const host = fakeCanvas(EXAMPLE, { '/api/v1/courses': page.reply });
    const read = await clientOn(host, EXAMPLE).readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'malformed_response' } });
  });

  // Every error stub in the file; read at collection time, so only when the fixtures are there.
  const refusals = hasFixtures
    ? Object.entries(readJsonFixture<Record<string, CanvasapiStub>>('canvas/canvasapi/discussion_topic.json'))
        .filter(([, s]) => (s.status_code ?? 200) >= 400)
        .map(([name]) => [name])
    : [['mark_as_read_403']];

  it('finds the error stubs it maps', () => expect(refusals.length).toBeGreaterThanOrEqual(8));

  it.each(refusals)('maps the %s 403 body to forbidden, with no retry', async (name) => {
    const { reply: refusal } = stub('discussion_topic.json', name);
    expect(refusal).toMatchObject({ status: 403, json: 'require_initial_post' });
    const sleeps: number[] = [];
    const host = fakeCanvas(EXAMPLE, { '/api/v1/courses': refusal });
    const client = clientOn(host, EXAMPLE, sleeps);
    const read = await client.readDueItems();
    expect(read).toMatchObject({ complete: false, failure: { code: 'forbidden' } });
    expect(client.requests).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

// The error bodies Canvas's own code sends (issue #4), on the same fake host: no fixture has them.
describeWithFixtures('Canvas client on the error bodies Canvas documents', () => {
  const EXAMPLE = 'https://example.com';
  const cases: Array<[string, Reply, string, number]> = [
    [
      'a dead token (401 with WWW-Authenticate)',
      {
        status: 401,
        headers: { 'WWW-Authenticate': 'Bearer realm="canvas-lms"' },
        json: { errors: [{ message: 'Invalid access token.' }] },
      },
      'token_invalid',
      1,
    ],
    [
      'a missing permission (401 without WWW-Authenticate)',
      {
        status: 401,
        json: { status: 'unauthorized', errors: [{ message: 'user not authorized to perform that action' }] },
      },
      'forbidden',
      1,
    ],
    ['a missing resource (404)', { status: 404, json: NOT_FOUND }, 'not_found', 1],
    [
      'a disabled course tab (404)',
      { status: 404, json: { message: 'That page has been disabled for this course' } },
      'not_found',
      1,
    ],
    [
      'throttling that never ends (plain-text 403)',
      { status: 403, text: '403 Forbidden (Rate Limit Exceeded)\n' },
      'rate_limited',
      3,
    ],
    ['a server that keeps failing (503)', { status: 503, text: 'Service Unavailable' }, 'unavailable', 3],
  ];

  it.each(cases)('maps %s to its failure code', async (_name, answer, code, tries) => {
    const host = fakeCanvas(EXAMPLE, { '/api/v1/courses': answer });
    const client = clientOn(host, EXAMPLE);
    const read = await client.readDueItems();
    if (read.complete) throw new Error('an error answer was read as complete');
    expect(read.failure.code).toBe(code);
    expect(read.failure.message).not.toContain(TOKEN);
    expect(client.requests).toBe(tries);
  });

  it('recovers when throttling stops, and reads the courses it then gets', async () => {
    const throttled: Reply = { status: 403, text: '403 Forbidden (Rate Limit Exceeded)\n' };
    const page = stub('course.json', 'multiple_page_2');
    const sleeps: number[] = [];
    const host = fakeCanvas(EXAMPLE, { '/api/v1/courses': [throttled, page.reply] });
    const read = complete(await clientOn(host, EXAMPLE, sleeps).readDueItems());
    expect(read.items).toEqual([]);
    expect(sleeps.length).toBeGreaterThan(0);
    expect(
      host
        .paths()
        .filter((p) => p.startsWith('/api/v1/courses/'))
        .map((p) => p.split('/')[4]),
    ).toEqual(expect.arrayContaining(['3', '4']));
  });
});
