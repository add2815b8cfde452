import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { DEMO_GOOGLE_CLIENT, type GoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createGoogleOAuth, endpointsAt } from '../../src/google/oauth-client.ts';

/** An access token for `email` (the demo student by default) with these scopes, through the real OAuth flow (PKCE, consent, exchange). */
export async function emulatorAccessToken(
  emulator: GoogleEmulator,
  scopes: string[],
  email: string = DEMO_STUDENT_EMAIL,
): Promise<string> {
  const redirectUri = 'http://127.0.0.1/cb';
  const oauth = createGoogleOAuth({ ...DEMO_GOOGLE_CLIENT, endpoints: endpointsAt(emulator.url) });
  const { codeVerifier, codeChallenge } = await oauth.createPkce();
  const url = oauth.authUrl({ state: 's', codeChallenge, scopes, redirectUri });
  const code = new URL(emulator.control.approveConsent(url, { email })).searchParams.get('code') ?? '';
  return (await oauth.exchangeCode({ code, codeVerifier, redirectUri })).accessToken;
}
