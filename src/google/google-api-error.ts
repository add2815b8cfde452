/**
 * A Google API failure as a value the caller must handle. `kind` decides what happens:
 * auth → reconnect needed (never retried in a loop), rate_limited/transient → retry with
 * backoff, gone → full resync (or success for a delete), the rest → permanent.
 */
export type GoogleErrorKind =
  | 'auth'
  | 'forbidden'
  | 'rate_limited'
  | 'transient'
  | 'not_found'
  | 'gone'
  | 'conflict'
  | 'precondition'
  | 'bad_request';

export class GoogleApiError extends Error {
  override readonly name = 'GoogleApiError';
  constructor(
    readonly kind: GoogleErrorKind,
    readonly status: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'transient';
  }
}

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'quotaExceeded']);

/** Classifies an HTTP status and Google's JSON error body (`{error:{code,message,errors:[{reason}]}}`). */
export function googleErrorFrom(status: number, body: unknown): GoogleApiError {
  const error = (body as { error?: { message?: unknown; errors?: Array<{ reason?: unknown }> } } | null)
    ?.error;
  const reason = typeof error?.errors?.[0]?.reason === 'string' ? error.errors[0].reason : undefined;
  const message = typeof error?.message === 'string' ? error.message : `Google answered HTTP ${status}`;
  return new GoogleApiError(kindOf(status, reason), status, reason, message);
}

function kindOf(status: number, reason: string | undefined): GoogleErrorKind {
  if (status === 401) return 'auth';
  if (status === 429 || (status === 403 && reason !== undefined && RATE_LIMIT_REASONS.has(reason)))
    return 'rate_limited';
  if (status >= 500) return 'transient';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 410) return 'gone';
  if (status === 412) return 'precondition';
  return 'bad_request';
}

/** Turns what gaxios throws into a GoogleApiError; network failures become `transient`. */
export function fromGaxiosError(error: unknown): GoogleApiError {
  if (error instanceof GoogleApiError) return error;
  const response = (error as { response?: { status?: number; data?: unknown } } | null)?.response;
  if (response?.status) return googleErrorFrom(response.status, response.data);
  const code = (error as { code?: unknown } | null)?.code;
  return new GoogleApiError(
    'transient',
    0,
    typeof code === 'string' ? code : undefined,
    'Google could not be reached',
  );
}
