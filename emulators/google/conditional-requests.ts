import type { EmulatorResponse } from './oauth-endpoints.ts';

/**
 * Conditional retrieval, as "Get specific versions of resources" describes it
 * (https://developers.google.com/workspace/calendar/api/guides/version-resources: etags
 * serve "on resource retrieval to only retrieve resource data if the resource has changed";
 * `If-None-Match` with the current etag answers 304 Not Modified) and as the batch
 * guide's example shows inside a batch (a `HTTP/1.1 304 Not Modified` part with an `ETag`
 * header and no body). Every answer that has an `etag` also carries it as the `ETag` header.
 * `If-Match` on writes is checked by the endpoints themselves (412 `conditionNotMet`).
 */
export function answerConditionally(
  method: string,
  headers: Record<string, string | undefined>,
  response: EmulatorResponse,
): EmulatorResponse {
  const body = response.body as { etag?: unknown } | undefined;
  const etag = response.status === 200 && typeof body?.etag === 'string' ? body.etag : undefined;
  if (etag === undefined) return response;
  const withTag = { ...response, headers: { ...response.headers, etag } };
  const condition = headers['if-none-match'];
  if (method !== 'GET' || condition === undefined) return withTag;
  if (!matchesAny(condition, etag)) return withTag;
  return { status: 304, headers: { ...response.headers, etag } };
}

/** RFC 9110 §13.1.2: `*`, or a list of entity tags compared weakly. */
function matchesAny(condition: string, etag: string): boolean {
  if (condition.trim() === '*') return true;
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return condition.split(/,(?=\s*(?:W\/)?")/).some((tag) => strip(tag) === strip(etag));
}
