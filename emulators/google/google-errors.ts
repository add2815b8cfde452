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

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  410: 'FAILED_PRECONDITION',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class EmulatedGoogleError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly domain = 'global',
    readonly extra: { locationType?: string; location?: string } = {},
  ) {
    super(message);
  }

  body(): GoogleErrorBody {
    return {
      error: {
        errors: [{ domain: this.domain, reason: this.reason, message: this.message, ...this.extra }],
        code: this.status,
        message: this.message,
        ...(STATUS_NAMES[this.status] ? { status: STATUS_NAMES[this.status] } : {}),
      },
    };
  }
}

export const errors = {
  authError: () =>
    new EmulatedGoogleError(401, 'authError', 'Invalid Credentials', 'global', {
      locationType: 'header',
      location: 'Authorization',
    }),
  insufficientPermissions: () =>
    new EmulatedGoogleError(
      403,
      'insufficientPermissions',
      'Request had insufficient authentication scopes.',
    ),
  forbidden: (message = 'Forbidden') => new EmulatedGoogleError(403, 'forbidden', message),
  notFound: () => new EmulatedGoogleError(404, 'notFound', 'Not Found'),
  duplicate: () => new EmulatedGoogleError(409, 'duplicate', 'The requested identifier already exists.'),
  deleted: () => new EmulatedGoogleError(410, 'deleted', 'Resource has been deleted'),
  fullSyncRequired: () =>
    new EmulatedGoogleError(
      410,
      'fullSyncRequired',
      'Sync token is no longer valid, a full sync is required.',
      'calendar',
      { locationType: 'parameter', location: 'syncToken' },
    ),
  updatedMinTooLongAgo: () =>
    new EmulatedGoogleError(
      410,
      'updatedMinTooLongAgo',
      'The requested minimum modification time lies too far in the past.',
      'calendar',
      { locationType: 'parameter', location: 'updatedMin' },
    ),
  conditionNotMet: () =>
    new EmulatedGoogleError(412, 'conditionNotMet', 'Precondition Failed', 'global', {
      locationType: 'header',
      location: 'If-Match',
    }),
  invalid: (message: string, location?: string) =>
    new EmulatedGoogleError(
      400,
      'invalid',
      message,
      'global',
      location ? { locationType: 'parameter', location } : {},
    ),
  required: (location: string) =>
    new EmulatedGoogleError(400, 'required', `Required parameter: ${location}`, 'global', {
      locationType: 'parameter',
      location,
    }),
  timeRangeEmpty: () =>
    new EmulatedGoogleError(400, 'timeRangeEmpty', 'The specified time range is empty.', 'calendar', {
      locationType: 'parameter',
      location: 'timeMax',
    }),
  rateLimitExceeded: () =>
    new EmulatedGoogleError(403, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits'),
  userRateLimitExceeded: () =>
    new EmulatedGoogleError(403, 'userRateLimitExceeded', 'User Rate Limit Exceeded', 'usageLimits'),
  tooManyRequests: () =>
    new EmulatedGoogleError(429, 'rateLimitExceeded', 'Rate Limit Exceeded', 'usageLimits'),
  backendError: () => new EmulatedGoogleError(500, 'backendError', 'Backend Error'),
  unavailable: () => new EmulatedGoogleError(503, 'backendError', 'The service is currently unavailable.'),
};
