import { type CanvasDeveloperKey, type CanvasOAuth, CanvasOAuthError } from '../canvas/canvas-oauth.ts';
import { AppError, badRequest } from '../errors.ts';

/** The 409 for a connection Canvas no longer accepts: the student connects Canvas again. */
export function canvasReconnectNeeded(reason: string): AppError {
  return new AppError(
    'canvas_reconnect_needed',
    `Canvas no longer accepts CanvasCal's access (${reason}); connect Canvas again.`,
    409,
  );
}

/** What a failed code exchange (`connect`) or token refresh (`refresh`) at Canvas tells the caller. */
export function canvasOAuthFailure(error: unknown, during: 'connect' | 'refresh'): AppError {
  if (error instanceof CanvasOAuthError) {
    if (error.code === 'invalid_grant')
      return badRequest(
        'Canvas did not accept the authorization code (used or expired); connect Canvas again.',
        'canvas_authorization_failed',
      );
    if (error.code === 'invalid_client')
      return badRequest(
        "Canvas rejected CanvasCal's developer key; ask your school's Canvas admin to check it.",
        'canvas_developer_key_rejected',
      );
  }
  return new AppError(
    'canvas_unavailable',
    during === 'connect'
      ? 'Canvas could not be reached to finish connecting; try again shortly.'
      : 'Canvas could not be reached to renew access; retrying later.',
    during === 'connect' ? 502 : 503,
    { cause: error },
  );
}

/** The OAuth set-up and the school's developer key for a Canvas; a 400 saying what to do when there is none. */
export function developerKeyFor<O extends { client: CanvasOAuth }>(
  oauth: O | undefined,
  baseUrl: string,
): { oauth: O; key: CanvasDeveloperKey } {
  const key = oauth?.client.keyFor(baseUrl);
  if (!oauth || !key)
    throw badRequest(
      `CanvasCal has no developer key for ${baseUrl}; ask your school's Canvas admin to add one (CANVAS_DEVELOPER_KEYS), or connect with a personal access token.`,
      'canvas_oauth_not_configured',
    );
  return { oauth, key };
}
