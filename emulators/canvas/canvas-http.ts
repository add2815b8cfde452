import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CanvasState, CanvasUser } from './canvas-state.ts';

/** What a route handler gets for one authenticated request. */
export interface RouteContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly origin: string;
  readonly state: CanvasState;
  readonly user: CanvasUser;
  readonly now: number;
  /** A 64-bit id as Canvas sends it: a string under `application/json+canvas-string-ids`. */
  id(n: number): number | string;
  /** Sends JSON with the throttling headers; the cost grows with the number of items sent. */
  send(status: number, body: unknown, headers?: Record<string, string>): void;
  /** Sends 304 Not Modified (an `If-None-Match` hit), still with the throttling headers. */
  notModified(headers: Record<string, string>): void;
}

export const NOT_FOUND = { errors: [{ message: 'The specified resource does not exist.' }] };
export const UNAUTHORIZED = {
  status: 'unauthorized',
  errors: [{ message: 'user not authorized to perform that action' }],
};

/** What Canvas answers for the API of a course tab the teacher hid from students. */
export const TAB_DISABLED = { message: 'That page has been disabled for this course' };

export const badRequest = (ctx: RouteContext, message: string) => ctx.send(400, { errors: [{ message }] });

/** Canvas pagination: per_page clamped to 1..100 (default 10), absolute links in a lower-case `link` header. */
export function sendPage(ctx: RouteContext, items: unknown[], defaultPerPage = 10): void {
  const perPage = perPageOf(ctx.url, defaultPerPage);
  const pageNumber = Math.max(1, Number(ctx.url.searchParams.get('page') ?? 1) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const target = new URL(ctx.url);
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
  ctx.send(200, items.slice((pageNumber - 1) * perPage, pageNumber * perPage), { link: links.join(',') });
}

/**
 * Canvas's bookmark pagination (planner, to-do): `page=bookmark:<base64url JSON>` names the
 * last item of the previous page by its sort key; there is no `last` link. Answers carry an
 * ETag, and a matching `If-None-Match` gets 304.
 */
export function sendBookmarkPage<T>(
  ctx: RouteContext,
  items: T[],
  sortKey: (item: T) => [string, number],
  render: (item: T) => unknown,
): void {
  // The planner paginates with Api.paginate and no default of its own, so Canvas's
  // api_per_page setting (10) applies (canvas-lms app/controllers/planner_controller.rb#index).
  const perPage = perPageOf(ctx.url, 10);
  const page = ctx.url.searchParams.get('page');
  let start = 0;
  // A page that is not a decodable bookmark is the first page: BookmarkedCollection's
  // `page_to_bookmark` rescues the decoding error and returns nil (canvas-lms
  // gems/bookmarked_collection/lib/bookmarked_collection/collection.rb).
  const after = page?.startsWith('bookmark:') ? decodeBookmark(page.slice('bookmark:'.length)) : undefined;
  if (after) {
    const index = items.findIndex((item) => compareKeys(sortKey(item), after) > 0);
    start = index === -1 ? items.length : index;
  }
  const slice = items.slice(start, start + perPage);
  const link = (target: URL, rel: string) => `<${target.toString()}>; rel="${rel}"`;
  const withPage = (value: string | null) => {
    const target = new URL(ctx.url);
    if (value === null) target.searchParams.delete('page');
    else target.searchParams.set('page', value);
    target.searchParams.set('per_page', String(perPage));
    return target;
  };
  const lastOfSlice = slice.at(-1);
  const links = [
    link(withPage(page), 'current'),
    ...(start + perPage < items.length && lastOfSlice !== undefined
      ? [link(withPage(`bookmark:${encodeBookmark(sortKey(lastOfSlice))}`), 'next')]
      : []),
    link(withPage(null), 'first'),
  ];
  const body = slice.map(render);
  const etag = `W/"${createHash('sha1')
    .update(JSON.stringify(body))
    .update(links.join(','))
    .digest('base64url')}"`;
  const headers = { link: links.join(','), etag };
  if (ctx.req.headers['if-none-match'] === etag) {
    ctx.notModified(headers);
    return;
  }
  ctx.send(200, body, headers);
}

/**
 * Canvas's `Api.per_page_for`: `[[per_page.to_i, 1].max, max].min`, with the default only
 * when `per_page` is absent (canvas-lms lib/api.rb). Ruby's `to_i` reads a leading integer
 * and gives 0 for anything else, so `abc` and the empty string are 1, `12abc` is 12.
 */
export function perPageOf(url: URL, fallback: number): number {
  const raw = url.searchParams.get('per_page');
  if (raw === null) return fallback;
  return Math.min(100, Math.max(1, rubyToI(raw)));
}

/** Ruby's `String#to_i`: optional leading whitespace and sign, then digits; 0 when none. */
export function rubyToI(text: string): number {
  const match = /^\s*([+-]?\d+)/.exec(text);
  return match?.[1] === undefined ? 0 : Number.parseInt(match[1], 10);
}

const encodeBookmark = (key: [string, number]) => Buffer.from(JSON.stringify(key)).toString('base64url');

function decodeBookmark(text: string): [string, number] | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'number')
      return [value[0], value[1]];
  } catch {
    // Canvas swallows an undecodable bookmark: the caller serves the first page.
  }
  return undefined;
}

function compareKeys(a: [string, number], b: [string, number]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1];
}

/** `include[]` values of a request. */
export const includes = (url: URL): string[] => url.searchParams.getAll('include[]');
