import type { CanvasCalApp } from '../../src/app.ts';
import { createCanvasConnectionsRepo } from '../../src/db/canvas-connections-repo.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { DEFAULT_SCOPES } from '../../src/google/scopes.ts';

/** Environment that gives a test app a Google setup without emulators (nothing calls Google). */
export const TEST_GOOGLE_CLIENT = { GOOGLE_CLIENT_ID: 'test-client', GOOGLE_CLIENT_SECRET: 'test-secret' };

/**
 * Signs in and records Google (and, unless told otherwise, Canvas) as connected, straight in
 * the database: for route tests that need a user who may sync but never reach Google or Canvas.
 */
export async function connectedUser(
  app: CanvasCalApp,
  email: string,
  options: { canvas?: boolean } = {},
): Promise<{ headers: Record<string, string>; userId: string }> {
  const http = app.http;
  if (!http) throw new Error('the app has no HTTP server');
  const login = await http.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: { email } });
  const headers = { authorization: `Bearer ${login.json().accessToken}` };
  const userId: string = (await http.inject({ url: '/api/v1/me', headers })).json().id;
  const seal = (
    plaintext: string,
    provider: 'google' | 'canvas',
    purpose: 'refresh_token' | 'access_token',
  ) => app.cipher.seal(plaintext, { userId, provider, purpose });
  await createGoogleConnectionsRepo(app.db.orm).connect(userId, {
    encryptedRefreshToken: seal('test-refresh-token', 'google', 'refresh_token'),
    grantedScopes: [...DEFAULT_SCOPES],
  });
  if (options.canvas ?? true)
    await createCanvasConnectionsRepo(app.db.orm).save({
      userId,
      baseUrl: 'https://canvas.example.edu',
      authKind: 'personal_token',
      encryptedAccessToken: seal('1234~test-token', 'canvas', 'access_token'),
      encryptedRefreshToken: null,
      accessTokenExpiresAt: null,
      tokenExpiresAt: null,
      canvasUserId: '1',
    });
  return { headers, userId };
}
