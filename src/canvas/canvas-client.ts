import { z } from 'zod';
import type { DueItemsRead, DueItemsSource, SourceFailure } from '../sync/due-items-source.ts';
import type { SourceItem } from '../sync/source-item.ts';

const USER_AGENT = 'CanvasCal/0.1 (+https://github.com/canvascal)';
// Below this many units left in the token's bucket, pause before the next request.
const LOW_WATER = 150;

const Id = z.union([z.string(), z.number()]).transform(String);
const CourseSchema = z.object({
  id: Id,
  name: z.string().optional(),
  course_code: z.string().optional(),
  access_restricted_by_date: z.boolean().optional(),
});
const AssignmentSchema = z.object({
  id: Id,
  name: z.string(),
  due_at: z.string().nullable(),
  points_possible: z.number().nullable().optional(),
  html_url: z.string(),
  submission_types: z.array(z.string()).default([]),
  submission: z.object({ workflow_state: z.string(), missing: z.boolean().optional() }).optional(),
});
const CalendarEventSchema = z.object({
  id: Id,
  title: z.string(),
  start_at: z.string().nullable(),
  all_day: z.boolean().optional(),
  all_day_date: z.string().nullable().optional(),
  html_url: z.string(),
  context_code: z.string(),
});

export class CanvasRequestError extends Error {
  override readonly name = 'CanvasRequestError';
  constructor(
    readonly code: SourceFailure['code'],
    message: string,
  ) {
    super(message);
  }
}

export interface CanvasClientOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Tries per request when Canvas throttles or fails (default 5). */
  attempts?: number;
}

/**
 * Everything due for one student, read the way Canvas asks clients to behave: one request
 * in flight, 100 items a page, `link` headers followed as opaque URLs, a pause when the
 * rate-limit bucket runs low, backoff with jitter on throttling, 429 and 5xx, and no retry of
 * any other 403. The answer is complete or says it is not; it is never silently short.
 */
export function createCanvasClient(
  options: CanvasClientOptions,
): DueItemsSource & { readonly requests: number } {
  const origin = new URL(options.baseUrl).origin;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  let requests = 0;

  const get = async (url: string): Promise<{ body: unknown; next: string | undefined }> => {
    const attempts = options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      requests += 1;
      let response: Response;
      try {
        response = await doFetch(url, {
          headers: {
            authorization: `Bearer ${options.token}`,
            'user-agent': USER_AGENT,
            accept: 'application/json+canvas-string-ids',
          },
          redirect: 'manual',
        });
      } catch {
        if (attempt < attempts) {
          await sleep(backoff(attempt, random));
          continue;
        }
        throw new CanvasRequestError('unavailable', 'Canvas could not be reached');
      }
      if (response.status === 401) {
        throw response.headers.has('www-authenticate')
          ? new CanvasRequestError('token_invalid', 'Canvas says the access token is invalid or expired')
          : new CanvasRequestError('forbidden', 'Canvas says this token may not read that');
      }
      if (response.status === 403) {
        const text = await response.text();
        if (!text.includes('Rate Limit Exceeded'))
          throw new CanvasRequestError('forbidden', 'Canvas refused the request');
        if (attempt >= attempts)
          throw new CanvasRequestError('rate_limited', 'Canvas kept throttling the requests');
        await sleep(backoff(attempt, random));
        continue;
      }
      if (response.status === 429 || response.status >= 500) {
        if (attempt >= attempts)
          throw new CanvasRequestError('unavailable', `Canvas answered HTTP ${response.status}`);
        await sleep(backoff(attempt, random));
        continue;
      }
      if (response.status === 404)
        throw new CanvasRequestError('not_found', 'Canvas says the resource does not exist');
      if (!response.ok)
        throw new CanvasRequestError('unavailable', `Canvas answered HTTP ${response.status}`);
      const body: unknown = await response.json().catch(() => {
        throw new CanvasRequestError('malformed_response', 'Canvas answered with something that is not JSON');
      });
      const remaining = Number(response.headers.get('x-rate-limit-remaining'));
      if (Number.isFinite(remaining) && remaining < LOW_WATER)
        await sleep(Math.round((LOW_WATER - remaining) * 100));
      return { body, next: nextLink(response.headers.get('link')) };
    }
  };

  const listAll = async <T>(path: string, schema: z.ZodType<T>): Promise<T[]> => {
    const items: T[] = [];
    const seen = new Set<string>();
    let url: string | undefined = `${origin}${path}`;
    while (url) {
      // Links are followed as given, but never to another host and never twice.
      if (seen.has(url) || new URL(url).origin !== origin) break;
      seen.add(url);
      const { body, next } = await get(url);
      const parsed = z.array(schema).safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new CanvasRequestError(
          'malformed_response',
          `Canvas sent an unexpected ${issue?.path.join('.') || 'answer'} in ${path.split('?')[0]}`,
        );
      }
      items.push(...parsed.data);
      url = next;
    }
    return items;
  };

  return {
    host: new URL(origin).host,
    get requests() {
      return requests;
    },
    async readDueItems(): Promise<DueItemsRead> {
      try {
        const courses = (
          await listAll('/api/v1/courses?enrollment_state=active&per_page=100', CourseSchema)
        ).filter((c) => !c.access_restricted_by_date);
        const items: SourceItem[] = [];
        const undated: Array<Omit<SourceItem, 'dueAt'>> = [];
        for (const course of courses) {
          const info = {
            courseId: course.id,
            courseName: course.name ?? course.id,
            courseCode: course.course_code ?? course.name ?? course.id,
          };
          for (const a of await listAll(
            `/api/v1/courses/${course.id}/assignments?include[]=submission&per_page=100`,
            AssignmentSchema,
          )) {
            const state = a.submission?.workflow_state ?? 'unsubmitted';
            const item = {
              key: `assignment:${course.id}:${a.id}`,
              kind: a.submission_types.includes('online_quiz')
                ? 'quiz'
                : a.submission_types.includes('discussion_topic')
                  ? 'discussion'
                  : 'assignment',
              ...info,
              title: a.name,
              allDay: false,
              allDayDate: null,
              pointsPossible: a.points_possible ?? null,
              submitted: ['submitted', 'graded', 'pending_review'].includes(state),
              missing: a.submission?.missing ?? false,
              htmlUrl: a.html_url,
            } as const;
            if (a.due_at) items.push({ ...item, dueAt: new Date(a.due_at).toISOString() });
            else undated.push(item);
          }
        }
        // Canvas honours at most 10 context codes per calendar request.
        for (let i = 0; i < courses.length; i += 10) {
          const group = courses.slice(i, i + 10);
          const query = group.map((c) => `context_codes[]=course_${c.id}`).join('&');
          for (const e of await listAll(
            `/api/v1/calendar_events?type=event&all_events=true&per_page=100&${query}`,
            CalendarEventSchema,
          )) {
            const course = group.find((c) => `course_${c.id}` === e.context_code);
            if (!course || !e.start_at) continue;
            items.push({
              key: `calendar_event:${course.id}:${e.id}`,
              kind: 'calendar_event',
              courseId: course.id,
              courseName: course.name ?? course.id,
              courseCode: course.course_code ?? course.name ?? course.id,
              title: e.title,
              dueAt: new Date(e.start_at).toISOString(),
              // All-day comes from Canvas's own local date, never from the UTC instant.
              allDay: Boolean(e.all_day && e.all_day_date),
              allDayDate: e.all_day ? (e.all_day_date ?? null) : null,
              pointsPossible: null,
              submitted: false,
              missing: false,
              htmlUrl: e.html_url,
            });
          }
        }
        return { complete: true, items, undated };
      } catch (error) {
        if (error instanceof CanvasRequestError)
          return { complete: false, failure: { code: error.code, message: error.message } };
        throw error;
      }
    },
  };
}

/** The `rel="next"` URL of a Link header (any case of the header name; the caller passes its value). */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match?.[2]?.split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}

function backoff(attempt: number, random: () => number): number {
  return Math.round(1000 * 2 ** (attempt - 1) * (0.5 + random() / 2));
}
