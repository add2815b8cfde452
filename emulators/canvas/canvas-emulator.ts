import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CanvasControl } from './canvas-control.ts';
import { seedDemoCanvas } from './canvas-seed.ts';
import { CanvasState } from './canvas-state.ts';
import { expectedDueItems } from './expected-due-items.ts';

// Leaky bucket per token, as Canvas throttles: a high-water mark, a leak rate, and an
// up-front charge per request in flight that is refunded when it ends.
const HIGH_WATER = 700;
const LEAK_PER_SECOND = 10;
const UPFRONT_COST = 50;
const REQUEST_COST = 1;

export interface CanvasEmulatorOptions {
  port?: number;
  host?: string;
  now?: () => number;
  seed?: boolean;
}

export interface CanvasEmulator {
  url: string;
  control: CanvasControl;
  close(): Promise<void>;
}

export async function startCanvasEmulator(options: CanvasEmulatorOptions = {}): Promise<CanvasEmulator> {
  const now = options.now ?? Date.now;
  const state = new CanvasState();
  const buckets = new Map<string, { level: number; at: number }>();
  const faults: Array<{ prefix: string; status: number; remaining: number }> = [];
  let throttle = 0;
  const counts = { total: 0, byRoute: {} as Record<string, number>, cost: 0 };
  let origin = '';

  const control: CanvasControl = {
    state,
    demo: undefined,
    createUser(name, timeZone) {
      const id = state.id();
      state.users.set(id, { id, name, timeZone });
      return id;
    },
    issueToken(userId, o = {}) {
      const token = `${userId}~${randomBytes(24).toString('base64url')}`;
      state.tokens.set(token, { token, userId, expiresAt: o.expiresAt ?? null, revoked: false });
      return token;
    },
    revokeToken(token) {
      const found = state.tokens.get(token);
      if (found) found.revoked = true;
    },
    createCourse(o) {
      const id = state.id();
      state.courses.set(id, {
        id,
        name: o.name,
        courseCode: o.courseCode,
        restricted: o.restricted ?? false,
        syllabusBody: o.syllabusBody ?? null,
      });
      return id;
    },
    enroll(userId, courseId) {
      const set = state.enrollments.get(userId) ?? new Set<number>();
      set.add(courseId);
      state.enrollments.set(userId, set);
    },
    addAssignment(courseId, a) {
      const id = state.id();
      state.assignments.set(id, {
        id,
        courseId,
        name: a.name,
        dueAt: a.dueAt,
        pointsPossible: a.pointsPossible ?? null,
        published: a.published ?? true,
        submissionTypes: a.submissionTypes ?? ['online_upload'],
        overrides: new Map(),
      });
      return id;
    },
    updateAssignment(id, patch) {
      const assignment = state.assignments.get(id);
      if (assignment) Object.assign(assignment, patch);
    },
    deleteAssignment(id) {
      state.assignments.delete(id);
    },
    setOverride(assignmentId, userId, dueAt) {
      state.assignments.get(assignmentId)?.overrides.set(userId, dueAt);
    },
    submit(userId, assignmentId) {
      state.submissions.set(`${userId}:${assignmentId}`, 'submitted');
    },
    addCalendarEvent(courseId, e) {
      const id = state.id();
      state.calendarEvents.set(id, { id, courseId, ...e });
      return id;
    },
    failNext(prefix, status, count = 1) {
      // Both the positional form and the contract's `{ status, count }` form are accepted.
      if (typeof status === 'number') faults.push({ prefix, status, remaining: count });
      else faults.push({ prefix, status: status.status, remaining: status.count ?? 1 });
    },
    throttleNext(count = 1) {
      throttle += count;
    },
    expectedDueItems: (userId) => expectedDueItems(state, userId, origin),
    requestCounts: () => structuredClone(counts),
    resetCounts() {
      counts.total = 0;
      counts.byRoute = {};
      counts.cost = 0;
    },
  };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      json(res, 500, { errors: [{ message: 'An error occurred.' }] });
      console.error('canvas emulator bug', error);
    }
  });

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const route = url.pathname.replace(/\/\d+/g, '/:id');
    counts.total += 1;
    counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
    if (!req.headers['user-agent'])
      return json(res, 403, { errors: [{ message: 'A User-Agent header is required' }] });
    const token = state.tokens.get((req.headers.authorization ?? '').replace(/^Bearer\s+/i, ''));
    if (!token || token.revoked || (token.expiresAt !== null && token.expiresAt <= now())) {
      return json(
        res,
        401,
        { errors: [{ message: 'Invalid access token.' }] },
        { 'www-authenticate': 'Bearer realm="canvas-lms"' },
      );
    }
    const bucket = buckets.get(token.token) ?? { level: 0, at: now() };
    bucket.level = Math.max(0, bucket.level - ((now() - bucket.at) / 1000) * LEAK_PER_SECOND);
    bucket.at = now();
    buckets.set(token.token, bucket);
    if (throttle > 0 || bucket.level + UPFRONT_COST > HIGH_WATER) {
      throttle = Math.max(0, throttle - 1);
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8', 'x-rate-limit-remaining': '0' });
      res.end('403 Forbidden (Rate Limit Exceeded)\n');
      return;
    }
    bucket.level += REQUEST_COST;
    counts.cost += REQUEST_COST;
    const costHeaders = {
      'x-request-cost': String(REQUEST_COST),
      'x-rate-limit-remaining': String(Math.round(HIGH_WATER - bucket.level)),
    };
    const fault = faults.find((f) => f.remaining > 0 && url.pathname.startsWith(f.prefix));
    if (fault) {
      fault.remaining -= 1;
      return json(res, fault.status, { errors: [{ message: 'An error occurred.' }] }, costHeaders);
    }
    const stringIds = (req.headers.accept ?? '').includes('application/json+canvas-string-ids');
    const id = (n: number) => (stringIds ? String(n) : n);
    const user = state.users.get(token.userId);
    if (!user)
      return json(
        res,
        401,
        { errors: [{ message: 'Invalid access token.' }] },
        { 'www-authenticate': 'Bearer realm="canvas-lms"' },
      );
    const page = (items: unknown[]) =>
      paginate(url, items, costHeaders, (status, body, headers) => json(res, status, body, headers));

    if (url.pathname === '/api/v1/users/self')
      return json(
        res,
        200,
        {
          id: id(user.id),
          name: user.name,
          sortable_name: user.name,
          short_name: user.name,
          avatar_url: null,
          locale: null,
          permissions: {},
        },
        costHeaders,
      );
    if (url.pathname === '/api/v1/users/self/profile')
      return json(res, 200, { id: id(user.id), name: user.name, time_zone: user.timeZone }, costHeaders);
    if (url.pathname === '/api/v1/courses') {
      return page(
        state.coursesOf(user.id).map((c) =>
          c.restricted
            ? { id: id(c.id), access_restricted_by_date: true }
            : {
                id: id(c.id),
                name: c.name,
                course_code: c.courseCode,
                workflow_state: 'available',
                enrollments: [
                  {
                    type: 'student',
                    role: 'StudentEnrollment',
                    enrollment_state: 'active',
                    user_id: id(user.id),
                  },
                ],
              },
        ),
      );
    }
    const assignmentsMatch = /^\/api\/v1\/courses\/(\d+)\/assignments$/.exec(url.pathname);
    if (assignmentsMatch) {
      const course = state.courses.get(Number(assignmentsMatch[1]));
      // A course that exists but is not this student's is a permission error, not a 404.
      if (course && !state.enrollments.get(user.id)?.has(course.id))
        return json(
          res,
          401,
          { status: 'unauthorized', errors: [{ message: 'user not authorized to perform that action' }] },
          costHeaders,
        );
      if (!course || course.restricted) {
        return json(
          res,
          404,
          { errors: [{ message: 'The specified resource does not exist.' }] },
          costHeaders,
        );
      }
      const withSubmission = url.searchParams.getAll('include[]').includes('submission');
      const items = [...state.assignments.values()]
        .filter((a) => a.courseId === course.id && a.published)
        .sort((a, b) => a.id - b.id)
        .map((a) => ({
          id: id(a.id),
          course_id: id(course.id),
          name: a.name,
          due_at: state.dueAtFor(a, user.id),
          points_possible: a.pointsPossible,
          submission_types: a.submissionTypes,
          published: true,
          html_url: `${origin}/courses/${course.id}/assignments/${a.id}`,
          has_submitted_submissions: [...state.submissions.keys()].some((k) => k.endsWith(`:${a.id}`)),
          ...(withSubmission
            ? {
                submission: {
                  assignment_id: id(a.id),
                  user_id: id(user.id),
                  workflow_state: state.submissions.get(`${user.id}:${a.id}`) ?? 'unsubmitted',
                  missing: false,
                },
              }
            : {}),
        }));
      return page(items);
    }
    if (url.pathname === '/api/v1/calendar_events') {
      // Canvas honours at most 10 context codes per request.
      const contexts = url.searchParams.getAll('context_codes[]').slice(0, 10);
      const items = [...state.calendarEvents.values()]
        .filter(
          (e) => contexts.includes(`course_${e.courseId}`) && state.enrollments.get(user.id)?.has(e.courseId),
        )
        .sort((a, b) => a.id - b.id)
        .map((e) => ({
          id: id(e.id),
          title: e.title,
          start_at: e.startAt,
          end_at: e.endAt,
          all_day: e.allDay,
          all_day_date: e.allDayDate,
          context_code: `course_${e.courseId}`,
          workflow_state: 'active',
          html_url: `${origin}/calendar?event_id=${e.id}&include_contexts=course_${e.courseId}`,
          type: 'event',
        }));
      return page(items);
    }
    return json(res, 404, { errors: [{ message: 'The specified resource does not exist.' }] }, costHeaders);
  };

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  origin = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  if (options.seed ?? true) control.demo = seedDemoCanvas(control, now());
  return {
    url: origin,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Canvas pagination: per_page clamped to 1..100 (default 10), absolute links in a lower-case `link` header. */
function paginate(
  url: URL,
  items: unknown[],
  headers: Record<string, string>,
  send: (status: number, body: unknown, headers: Record<string, string>) => void,
): void {
  const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('per_page') ?? 10) || 10));
  const pageNumber = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const target = new URL(url);
    target.searchParams.set('page', String(n));
    target.searchParams.set('per_page', String(perPage));
    return `<${target.toString()}>; rel="${rel}"`;
  };
  const links = [
    link(pageNumber, 'current'),
    ...(pageNumber < last ? [link(pageNumber + 1, 'next')] : []),
    ...(pageNumber > 1 ? [link(pageNumber - 1, 'prev')] : []),
    link(1, 'first'),
    link(last, 'last'),
  ];
  send(200, items.slice((pageNumber - 1) * perPage, pageNumber * perPage), {
    ...headers,
    link: links.join(','),
  });
}
