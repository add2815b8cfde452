import type { FaultKind } from './emulator-control.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';

/** The OAuth calls faults can strike; the consent pages are the user's browser, not the app's client. */
export const FAULTABLE_OAUTH = new Set(['oauth.token', 'oauth.revoke']);

/**
 * How Google's token and revoke endpoints fail. They answer in OAuth's shape
 * (`{ error, error_description }`), not the Calendar API's. Observed: 500
 * `internal_failure` "Backend Error", 503 `internal_failure` with no description. Chosen
 * (undocumented): 429 `rate_limit_exceeded`; 403 (`403` and `userRateLimit`) an HTML
 * "automated queries" page, as clients hitting the token endpoint's rate limit report.
 */
export function oauthFault(kind: Exclude<FaultKind, 'reset'>): EmulatorResponse {
  switch (kind) {
    case 500:
      return { status: 500, body: { error: 'internal_failure', error_description: 'Backend Error' } };
    case 503:
      return { status: 503, body: { error: 'internal_failure' } };
    case 429:
      return {
        status: 429,
        body: { error: 'rate_limit_exceeded', error_description: 'Rate Limit Exceeded' },
      };
    default:
      return {
        status: 403,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: `<!doctype html><html lang="en"><meta charset="utf-8"><title>Sorry...</title><h1>We're sorry...</h1><p>... but your computer or network may be sending automated queries. To protect our users, we can't process your request right now.</p></html>`,
      };
  }
}
