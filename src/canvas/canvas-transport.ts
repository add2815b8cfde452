import { z } from 'zod';
import type { SourceFailure } from '../sync/due-items-source.ts';

const USER_AGENT = 'CanvasCal/0.1 (+https://github.com/canvascal)';
// Below this many units left in the token's bucket, pause until it has leaked back up to it.
const LOW_WATER = 150;
const LEAK_PER_SECOND = 10;

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
  /** Tries per request when Canvas throttles or fails (default 5). */
  attempts?: number;
}

/**
 * Canvas requests as Canvas asks clients to make them: one at a time, `User-Agent` and the
 * string-ids Accept header, a pause when `X-Rate-Limit-Remaining` runs low, backoff with
 * jitter on the throttled 403, 429 and 5xx, no retry of any other 403, and a dead token told
 * from a missing permission by `WWW-Authenticate`. Counts requests and Canvas cost units.
 */
export class CanvasTransport {
  readonly origin: string;
  requests = 0;
  costUnits = 0;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: CanvasTransportOptions) {
    this.origin = new URL(options.baseUrl).origin;
    this.doFetch = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * Every item of a listing, following `link` rel="next" as an opaque URL to the end. A next
   * link that repeats or leaves this Canvas, or a page that fails after the first, makes the
   * listing `incomplete`: never a silently short list.
   */
  async listAll<T>(path: string, schema: z.ZodType<T>): Promise<T[]> {
    const route = path.split('?')[0] ?? path;
    const items: T[] = [];
    const seen = new Set<string>();
    let url: string | undefined = `${this.origin}${path}`;
    while (url !== undefined) {
      if (seen.has(url))
        throw new CanvasRequestError('incomplete', `Canvas sent a next link it had sent before in ${route}`);
      if (new URL(url).origin !== this.origin)
        throw new CanvasRequestError('incomplete', `Canvas sent a next link to another host in ${route}`);
      seen.add(url);
      let page: { body: unknown; next: string | undefined };
      try {
        page = await this.get(url);
      } catch (error) {
        if (seen.size > 1 && error instanceof CanvasRequestError && isTransient(error.code))
          throw new CanvasRequestError(
            'incomplete',
            `Canvas stopped answering partway through ${route} (page ${seen.size}): ${error.message}`,
          );
        throw error;
      }
      items.push(...parse(z.array(schema), page.body, route));
      url = page.next;
    }
    return items;
  }

  /** One object (not a listing), validated like a page. */
  async getOne<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const page = await this.get(`${this.origin}${path}`);
    return parse(schema, page.body, path.split('?')[0] ?? path);
  }

  private async get(url: string): Promise<{ body: unknown; next: string | undefined }> {
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      this.requests += 1;
      let response: Response;
      try {
        response = await this.doFetch(url, {
          headers: {
            authorization: `Bearer ${this.options.token}`,
            'user-agent': USER_AGENT,
            accept: 'application/json+canvas-string-ids',
          },
          redirect: 'manual',
        });
      } catch {
        if (attempt < attempts) {
          await this.sleep(backoff(attempt, this.random));
          continue;
        }
        throw new CanvasRequestError('unavailable', 'Canvas could not be reached');
      }
      const cost = Number(response.headers.get('x-request-cost'));
      if (Number.isFinite(cost)) this.costUnits = Math.round((this.costUnits + cost) * 100) / 100;
      if (response.status === 401) {
        await response.body?.cancel();
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
        await this.sleep(backoff(attempt, this.random));
        continue;
      }
      if (response.status === 429 || response.status >= 500) {
        await response.body?.cancel();
        if (attempt >= attempts)
          throw new CanvasRequestError('unavailable', `Canvas answered HTTP ${response.status}`);
        await this.sleep(backoff(attempt, this.random));
        continue;
      }
      if (response.status === 404) {
        // Canvas answers a hidden tab's API with a bare `{"message":…}` (translated to the
        // user's language), a missing resource with `{"errors":[…]}`: told apart by shape.
        const answer: unknown = await response.json().catch(() => undefined);
        if (
          typeof answer === 'object' &&
          answer !== null &&
          typeof (answer as { message?: unknown }).message === 'string' &&
          !('errors' in answer)
        )
          throw new CanvasRequestError(
            'not_found',
            'Canvas says that page is disabled for this course',
            true,
          );
        throw new CanvasRequestError('not_found', 'Canvas says the resource does not exist');
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new CanvasRequestError('unavailable', `Canvas answered HTTP ${response.status}`);
      }
      const body: unknown = await response.json().catch(() => {
        throw new CanvasRequestError('malformed_response', 'Canvas answered with something that is not JSON');
      });
      const remaining = Number(response.headers.get('x-rate-limit-remaining') ?? Number.NaN);
      if (Number.isFinite(remaining) && remaining < LOW_WATER)
        await this.sleep(Math.round(((LOW_WATER - remaining) / LEAK_PER_SECOND) * 1000));
      return { body, next: nextLink(response.headers.get('link')) };
    }
  }
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

const isTransient = (code: SourceFailure['code']) => code === 'unavailable' || code === 'rate_limited';

function backoff(attempt: number, random: () => number): number {
  return Math.round(1000 * 2 ** (attempt - 1) * (0.5 + random() / 2));
}
