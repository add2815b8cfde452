import { AppError } from '../errors.ts';
import type { GoogleConnection } from '../google/google-connection.ts';
import type { CanvasAccount } from './canvas-account.ts';

/**
 * Whether a run can work now: Google connected for any run, Canvas too for a Canvas sync.
 * Rejects with a 409 that says what to connect, so a request never queues a certain failure.
 */
export function createSyncReadiness(deps: {
  google: Pick<GoogleConnection, 'status'> | undefined;
  canvas: Pick<CanvasAccount, 'status'>;
}) {
  const requireGoogle = createGoogleReadiness(deps.google);
  return async (userId: string, kind: 'canvas' | 'calendars'): Promise<void> => {
    await requireGoogle(userId);
    if (kind !== 'canvas') return;
    const canvasStatus = await deps.canvas.status(userId);
    if (canvasStatus.status === 'not_connected')
      throw new AppError(
        'canvas_not_connected',
        'Connect Canvas first: PUT /api/v1/canvas/connection with a token, or GET /api/v1/auth/canvas/url.',
        409,
      );
    if (canvasStatus.status === 'reconnect_needed')
      throw new AppError(
        'canvas_reconnect_needed',
        canvasStatus.message ?? 'Canvas no longer accepts the saved token; connect Canvas again.',
        409,
      );
  };
}

/**
 * Resolves when the user's Google connection works; else rejects with a 409
 * (`google_not_connected` or `google_reconnect_needed`) that says how to connect it. For
 * every request whose work needs Google, so none answers "accepted" for a certain failure.
 */
export function createGoogleReadiness(google: Pick<GoogleConnection, 'status'> | undefined) {
  return async (userId: string): Promise<void> => {
    const status = google ? await google.status(userId) : undefined;
    if (status?.status !== 'connected')
      throw new AppError(
        status?.status === 'reconnect_needed' ? 'google_reconnect_needed' : 'google_not_connected',
        status?.message ?? 'Connect your Google account first: GET /api/v1/auth/google/url.',
        409,
      );
  };
}
