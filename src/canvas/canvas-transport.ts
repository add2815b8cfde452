import { z } from 'zod';
import type { SourceFailure } from '../sync/due-items-source.ts';
import type { CanvasPageStore } from './canvas-page-cache.ts';

const USER_AGENT = 'CanvasCal/0.1 (+https://github.com/canvascal)';
// Below this many units left in the token's bucket, pause until it has leaked back up to it.
const LOW_WATER = 150;
const LEAK_PER_SECOND = 10;
// A Retry-After longer than this is not waited out in one sync: the read tries again sooner.
const RETRY_AFTER_CAP_MS = 60_000;
const DEFAULT_TIMEOUT_MS = 30_000;

/** An expected Canvas failure, as a code the caller must handle. Messages never carry tokens. */
export class CanvasRequestError extends Error {
  override readonly name = 'CanvasRequestError';
  constructor(
    readonly code: SourceFailure['code'],
    message: string,
    /** A 404 for a course tab the teacher hid from students: a definite answer, not a fault. */
    readonly tabDisabled = false,
  ) {
    super(message);
  }
}

export interface CanvasTransportOptions {
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Injected so tests can see every pause without sleeping. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Tries per request when Canvas throttles, fails or does not answer (default 5). */
  attempts?: number;
  /**
   * How long one request may take, headers and body, before it counts as failed like a 5xx
   * (default 30 s); without it a Canvas that never answers would hold the sync for minutes.
   */
  timeoutMs?: number;
  /**
   * Pages Canvas answered with an ETag, asked again with `If-None-Match`: a 304 reuses the
   * stored page. The planner answers that from its cache key without building the list
   * (canvas-lms app/controllers/planner_controller.rb#index, `stale?(etag: composite_cache_key)`).
   */
  pages?: CanvasPageStore;
}

/** One try's outcome: the page, or the pause before the next try and the failure if none is left. */
type Attempt = { body: unknown; headers: Headers } | { retry: number; failure: CanvasRequestError };

/**
 * Canvas requests as Canvas asks clients to make them: one at a time, `User-Agent` and the
 * string-ids Accept header, a pause when `X-Rate-Limit-Remaining` runs low, backoff with
 * jitter on the throttled 403, 429, 5xx and a request that outlasts its timeout, no retry of
 * any other 403, and a dead token told from a missing permission by `WWW-Authenticate`.
 * Counts requests and Canvas cost units.
 */
export class CanvasTransport {
  readonly origin: string;
  requests = 0;
  costUnits = 0;
  /** Requests Canvas answered 304 Not Modified (a stored page reused). */
  notModified = 0;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly attempts: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: CanvasTransportOptions) {
    this.origin = new URL(options.baseUrl).origin;
    this.doFetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
    this.attempts = options.attempts ?? 5;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(this.timeoutMs > 0) || !Number.isFinite(this.timeoutMs))
      throw new RangeError(`timeoutMs must be a positive number of milliseconds, not ${this.timeoutMs}`);
  }

  /**
   * Every item of a listing, following `link` rel="next" as an opaque URL to the end (a
   * relative one resolved against the page's URL, as a browser does). A next link that is not
   * a URL, repeats or leaves this Canvas, or a page that fails after the first, makes the
   * listing `incomplete`: never a silently short list.
   */
  async listAll<T>(path: string, schema: z.ZodType<T>, what = describeRequest(path)): Promise<T[]> {
    const route = path.split('?')[0] ?? path;
    const items: T[] = [];
    const seen = new Set<string>();
    // Normalised as a resolved next link is, so a link back to the first page is seen as one.
    let url: string | undefined = new URL(`${this.origin}${path}`).href;
    while (url !== undefined) {
      if (seen.has(url))
        throw new CanvasRequestError(
          'incomplete',
          `Canvas sent a next link it had sent before while trying to ${what} (${route}); sync again later`,
        );
      if (new URL(url).origin !== this.origin)
        throw new CanvasRequestError(
          'incomplete',
          `Canvas sent a next link to another host while trying to ${what} (${route}); sync again later`,
        );
      seen.add(url);
      let page: { body: unknown; next: string | undefined };
      try {
        page = await this.get(url, what);
      } catch (error) {
        // A later page that fails or is gone (a 404 on a link Canvas itself sent) leaves the
        // listing half read: incomplete, whatever the first page said.
        if (
          seen.size > 1 &&
          error instanceof CanvasRequestError &&
          (isTransient(error.code) || error.code === 'not_found')
        )
          throw new CanvasRequestError(
            'incomplete',
            `Canvas stopped answering partway through ${route} (page ${seen.size}): ${error.message}`,
          );
        throw error;
      }
      items.push(...parse(z.array(schema), page.body, route));
      url = page.next === undefined ? undefined : resolveNext(page.next, url, what, route);
    }
    return items;
  }

  /** One object (not a listing), validated like a page. */
  async getOne<T>(path: string, schema: z.ZodType<T>, what = describeRequest(path)): Promise<T> {
    const page = await this.get(`${this.origin}${path}`, what);
    return parse(schema, page.body, path.split('?')[0] ?? path);
  }

  /** One page, retried as Canvas asks; `what` says in a failure what the read was doing. */
  private async get(url: string, what: string): Promise<{ body: unknown; next: string | undefined }> {
    for (let attempt = 1; ; attempt++) {
      this.requests += 1;
      const outcome = await this.attempt(url, what, attempt);
      if ('retry' in outcome) {
        if (attempt >= this.attempts) throw outcome.failure;
        await this.sleep(outcome.retry);
        continue;
      }
      const remaining = Number(outcome.headers.get('x-rate-limit-remaining') ?? Number.NaN);
      if (Number.isFinite(remaining) && remaining < LOW_WATER)
        await this.sleep(Math.round(((LOW_WATER - remaining) / LEAK_PER_SECOND) * 1000));
      return { body: outcome.body, next: nextLink(outcome.headers.get('link')) };
    }
  }

  /**
   * One request and its body, under the per-request timeout: a Canvas that accepts the
   * connection and never answers (or stops mid-body) is a transient failure like a 5xx.
   */
  private async attempt(url: string, what: string, attempt: number): Promise<Attempt> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    try {
      return await this.exchange(url, what, attempt, controller.signal);
    } catch (error) {
      if (!controller.signal.aborted) throw error;
      return {
        retry: backoff(attempt, this.random),
        failure: new CanvasRequestError(
          'unavailable',
          `Canvas did not answer within ${formatSeconds(this.timeoutMs)} when asked to ${what} (${this.attempts} tries); try again later, or check that the Canvas address is right`,
        ),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  private async exchange(url: string, what: string, attempt: number, signal: AbortSignal): Promise<Attempt> {
    const attempts = this.attempts;
    let response: Response;
    const cached = this.options.pages?.get(url);
    try {
      response = await this.doFetch(url, {
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'user-agent': USER_AGENT,
          accept: 'application/json+canvas-string-ids',
          ...(cached ? { 'if-none-match': cached.etag } : {}),
        },
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      return {
        retry: backoff(attempt, this.random),
        failure: new CanvasRequestError(
          'unavailable',
          `Canvas could not be reached to ${what} (${attempts} tries); check the Canvas address and the network`,
        ),
      };
    }
    const cost = Number(response.headers.get('x-request-cost'));
    if (Number.isFinite(cost)) this.costUnits = Math.round((this.costUnits + cost) * 100) / 100;
    if (response.status === 401) {
      await response.body?.cancel();
      throw response.headers.has('www-authenticate')
        ? new CanvasRequestError(
            'token_invalid',
            `Canvas rejected the access token while trying to ${what} (401): it is invalid or expired; reconnect Canvas`,
          )
        : new CanvasRequestError(
            'forbidden',
            `Canvas refused to ${what} (401 unauthorized): check that you are still enrolled there`,
          );
    }
    if (response.status === 403) {
      const text = await response.text();
      if (!text.includes('Rate Limit Exceeded'))
        throw new CanvasRequestError(
          'forbidden',
          `Canvas refused to ${what} (403); check that the token may read it`,
        );
      return {
        retry: this.pause(response, attempt),
        failure: new CanvasRequestError(
          'rate_limited',
          `Canvas kept throttling the requests to ${what} (403 Rate Limit Exceeded, ${attempts} tries); wait a few minutes and sync again`,
        ),
      };
    }
    if (response.status === 429 || response.status >= 500) {
      await response.body?.cancel();
      return {
        retry: this.pause(response, attempt),
        failure: new CanvasRequestError(
          response.status === 429 ? 'rate_limited' : 'unavailable',
          `Canvas failed to ${what} (HTTP ${response.status}, ${attempts} tries); try again later`,
        ),
      };
    }
    if (response.status === 404) {
      // Canvas answers a hidden tab's API with a bare `{"message":…}` (translated to the
      // user's language), a missing resource with `{"errors":[…]}`: told apart by shape.
      const answer: unknown = await response.json().catch((error: unknown) => {
        if (signal.aborted) throw error;
        return undefined;
      });
      if (
        typeof answer === 'object' &&
        answer !== null &&
        typeof (answer as { message?: unknown }).message === 'string' &&
        !('errors' in answer)
      )
        throw new CanvasRequestError(
          'not_found',
          `Canvas refused to ${what} (404): that page is disabled for this course`,
          true,
        );
      throw new CanvasRequestError(
        'not_found',
        `Canvas found nothing when trying to ${what} (404); it may have been deleted, or you were removed from the course`,
      );
    }
    if (response.status === 304 && cached) {
      await response.body?.cancel();
      this.notModified += 1;
      // The planner's 304 carries no Link (it is set only when the list is built): the stored one stands.
      const headers = new Headers(response.headers);
      if (cached.link !== null) headers.set('link', cached.link);
      return { body: JSON.parse(cached.text) as unknown, headers };
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new CanvasRequestError(
        'unavailable',
        `Canvas failed to ${what} (HTTP ${response.status}); try again later`,
      );
    }
    const notJson = () =>
      new CanvasRequestError(
        'malformed_response',
        `Canvas answered with something that is not JSON when asked to ${what}`,
      );
    const text = await response.text().catch((error: unknown) => {
      if (signal.aborted) throw error;
      throw notJson();
    });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw notJson();
    }
    const etag = response.headers.get('etag');
    if (etag && this.options.pages)
      this.options.pages.set(url, { etag, text, link: response.headers.get('link') });
    return { body, headers: response.headers };
  }

  /** How long to wait before trying again: Canvas's `Retry-After` (seconds, capped), else backoff with jitter. */
  private pause(response: Response, attempt: number): number {
    const header = response.headers.get('retry-after')?.trim() ?? '';
    if (/^\d+$/.test(header)) return Math.min(Number(header) * 1000, RETRY_AFTER_CAP_MS);
    return backoff(attempt, this.random);
  }
}

/** What a request to `path` was for, in the words a failure message uses. */
export function describeRequest(path: string): string {
  const [route = path, query = ''] = path.split('?');
  const course = /^\/api\/v1\/courses\/([^/]+)\/assignments$/.exec(route)?.[1];
  if (course !== undefined) return `list assignments for course ${decodeURIComponent(course)}`;
  if (route === '/api/v1/courses') return 'list your courses';
  if (route === '/api/v1/planner/items') return 'list your planner items';
  if (route === '/api/v1/users/self/profile') return 'read your profile';
  if (route === '/api/v1/calendar_events')
    return new URLSearchParams(query).get('type') === 'assignment'
      ? 'list assignment dates on the course calendars'
      : 'list course calendar events';
  return `read ${route}`;
}

/** Validates an answer; a mismatch is `malformed_response` naming the field and the route. */
export function parse<T>(schema: z.ZodType<T>, body: unknown, route: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = (issue?.path ?? []).map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new CanvasRequestError(
    'malformed_response',
    `Canvas sent an unexpected ${field.replace(/^\./, '') || 'answer'} in ${route}`,
  );
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

/** A next link resolved against the page that sent it; one that is no URL at all is `incomplete`. */
function resolveNext(link: string, pageUrl: string, what: string, route: string): string {
  if (URL.canParse(link, pageUrl)) return new URL(link, pageUrl).href;
  throw new CanvasRequestError(
    'incomplete',
    `Canvas sent a next link that is not a URL while trying to ${what} (${route}); sync again later`,
  );
}

const isTransient = (code: SourceFailure['code']) => code === 'unavailable' || code === 'rate_limited';

const formatSeconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function backoff(attempt: number, random: () => number): number {
  return Math.round(1000 * 2 ** (attempt - 1) * (0.5 + random() / 2));
}
