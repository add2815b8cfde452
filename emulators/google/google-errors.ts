/** Google's JSON error format, as the Calendar API's error guide documents it. */
export interface GoogleErrorBody {
  error: {
    errors: Array<{
      domain: string;
      reason: string;
      message: string;
      locationType?: string;
      location?: string;
    }>;
    code: number;
    message: string;
    status?: string;
  };
}

/** What a live 403 for a missing scope carries beyond the documented body (see `insufficientPermissions`). */
interface ErrorExtras {
  status?: string;
  details?: unknown[];
  headers?: Record<string, string>;
}

export class EmulatedGoogleError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly extra: { locationType?: string; location?: string } = {},
    /** The top-level `error.message` when it differs from `errors[0].message`. */
    readonly topMessage: string = message,
    readonly extras: ErrorExtras = {},
  ) {
    super(message);
  }

  body(): GoogleErrorBody {
    return {
      error: {
        errors: [{ domain: this.domain, reason: this.reason, message: this.message, ...this.extra }],
        code: this.status,
        message: this.topMessage,
        ...(this.extras.status !== undefined ? { status: this.extras.status } : {}),
        ...(this.extras.details !== undefined ? { details: this.extras.details } : {}),
      },
    };
  }

  /** Response headers the error comes with (`WWW-Authenticate` on 401 and on a missing scope). */
  headers(): Record<string, string> {
    return this.extras.headers ?? {};
  }
}

/** `calendar.events.list` → `calendar.v3.Events.List`, the method name live 403s put in their ErrorInfo. */
function rpcMethodName(methodId: string): string {
  const [, resource = '', method = ''] = methodId.split('.');
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `calendar.v3.${cap(resource)}.${cap(method)}`;
}

/*
 * Sources of the bodies below. Unless noted, each is the body of Google's "Handle API errors"
 * guide (https://developers.google.com/workspace/calendar/api/guides/errors; copies in
 * ../shared/fixtures/google/errors/), which has no top-level `status`, so none is added.
 */
export const errors = {
  /** The guide's 401-authError (errors/401-authError.json), with the header every 401 carries. */
  authError: () =>
    new EmulatedGoogleError(
      401,
      'authError',
      'Invalid Credentials',
      'global',
      { locationType: 'header', location: 'Authorization' },
      'Invalid Credentials',
      {
        headers: { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' },
      },
    ),
  /**
   * A token without a scope the method accepts. Live body quoted in analogdotnow/Analog#296
   * (https://github.com/analogdotnow/Analog/issues/296, calendarList.list, 2025): top-level
   * message "Request had insufficient authentication scopes.", `errors[0].message`
   * "Insufficient Permission", `status` PERMISSION_DENIED and an ErrorInfo detail with reason
   * ACCESS_TOKEN_SCOPE_INSUFFICIENT (also GeneralTask/task-manager#2160 for
   * `calendar.v3.Events.List`). The `WWW-Authenticate` challenge with `insufficient_scope`
   * and the accepted scopes follows RFC 6750 §3.1 as Google's front end writes it.
   */
  insufficientPermissions: (methodId: string, acceptedScopes: readonly string[]) =>
    new EmulatedGoogleError(
      403,
      'insufficientPermissions',
      'Insufficient Permission',
      'global',
      {},
      'Request had insufficient authentication scopes.',
      {
        status: 'PERMISSION_DENIED',
        details: [
          {
            '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
            reason: 'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
            domain: 'googleapis.com',
            metadata: { service: 'calendar-json.googleapis.com', method: rpcMethodName(methodId) },
          },
        ],
        headers: {
          'www-authenticate': `Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="${acceptedScopes.join(' ')}"`,
        },
      },
    ),
  /** Writing to a calendar the caller may only read. Shape of the guide's 403s; wording chosen. */
  forbidden: (message = 'Forbidden') => new EmulatedGoogleError(403, 'forbidden', message),
  /** errors/404-notFound.json. */
  notFound: () => new EmulatedGoogleError(404, 'notFound', 'Not Found'),
  /** errors/409-duplicate.json. */
  duplicate: () => new EmulatedGoogleError(409, 'duplicate', 'The requested identifier already exists.'),
  /** errors/410-deleted.json. */
  deleted: () => new EmulatedGoogleError(410, 'deleted', 'Resource has been deleted'),
  /**
   * A malformed query parameter such as a `timeMin` without its offset: live 400 quoted in
   * northworld/google_calendar#41 and google-api-java-client#625 (`global`/`badRequest`/
   * "Bad Request", no location); google/googleapis.dart#14 shows the offset-less
   * `2017-02-03T08:25:15.99878` failing with that 400 while the same value with `Z` passes.
   */
  badRequest: () => new EmulatedGoogleError(400, 'badRequest', 'Bad Request'),
  /** errors/410-fullSyncRequired.json. */
  fullSyncRequired: () =>
    new EmulatedGoogleError(
      410,
      'fullSyncRequired',
      'Sync token is no longer valid, a full sync is required.',
      'calendar',
      { locationType: 'parameter', location: 'syncToken' },
    ),
  /** errors/410-updatedMinTooLongAgo.json. */
  updatedMinTooLongAgo: () =>
    new EmulatedGoogleError(
      410,
      'updatedMinTooLongAgo',
      'The requested minimum modification time lies too far in the past.',
      'calendar',
      { locationType: 'parameter', location: 'updatedMin' },
    ),
  /** errors/412-conditionNotMet.json. */
  conditionNotMet: () =>
    new EmulatedGoogleError(412, 'conditionNotMet', 'Precondition Failed', 'global', {
      locationType: 'header',
      location: 'If-Match',
    }),
  /**
   * A value Google refuses: live bodies such as t4t5/caldir#20 ("Start and end times must
   * either both be date or both be dateTime.") and wanasit/google-calendar#25 ("Invalid
   * resource id value."): `global`/`invalid`, no `status`. Messages are Google's where known.
   */
  invalid: (message: string, location?: string) =>
    new EmulatedGoogleError(
      400,
      'invalid',
      message,
      'global',
      location ? { locationType: 'parameter', location } : {},
    ),
  /** `global`/`required`, as google-api-dotnet-client#2661 shows it (message there "Required"; ours names the parameter). */
  required: (location: string) =>
    new EmulatedGoogleError(400, 'required', `Required parameter: ${location}`, 'global', {
      locationType: 'parameter',
      location,
    }),
  /** errors/400-timeRangeEmpty.json. */
  timeRangeEmpty: () =>
    new EmulatedGoogleError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'calendar', {
      locationType: 'parameter',
      location: 'timeMax',
    }),
  /** errors/403-rateLimitExceeded.json. */
  rateLimitExceeded: () =>
    new EmulatedGoogleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits'),
  /** errors/403-userRateLimitExceeded.json (the python client's tests hold a variant with `status`; the guide has none). */
  userRateLimitExceeded: () =>
    new EmulatedGoogleError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits'),
  /** errors/429-rateLimitExceeded.json. */
  tooManyRequests: () =>
    new EmulatedGoogleError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits'),
  /** errors/500-backendError.json. */
  backendError: () => new EmulatedGoogleError(500, 'backendError', 'Backend Error'),
  /** No documented 503 body: the guide's 500 shape with a chosen message. */
  unavailable: () => new EmulatedGoogleError(503, 'backendError', 'The service is currently unavailable.'),
};
