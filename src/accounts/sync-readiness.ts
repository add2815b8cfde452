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
  return async (userId: string, kind: 'canvas' | 'calendars'): Promise<void> => {
    const googleStatus = deps.google ? await deps.google.status(userId) : undefined;
    if (googleStatus?.status !== 'connected')
      throw new AppError(
        googleStatus?.status === 'reconnect_needed' ? 'google_reconnect_needed' : 'google_not_connected',
        googleStatus?.message ?? 'Connect your Google account first: GET /api/v1/auth/google/url.',
        409,
      );
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
