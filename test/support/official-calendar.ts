import { calendar, type calendar_v3 } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';

/** The official Calendar client pointed at an emulator with a bare access token (no retries). */
export function officialCalendar(
  rootUrl: string,
  accessToken: string,
  fetchImplementation: typeof fetch = fetch,
): calendar_v3.Calendar {
  const auth = new OAuth2Client({ transporterOptions: { fetchImplementation } });
  auth.setCredentials({ access_token: accessToken, expiry_date: Date.now() + 3_600_000 });
  return calendar({ version: 'v3', rootUrl: `${rootUrl}/`, auth, fetchImplementation, retry: false });
}

/** `"<status> <reason>"` of a rejected official-client call, or `no error`. */
export async function googleReason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      status?: number;
      response?: { status?: number; data?: { error?: { errors?: Array<{ reason?: string }> } } };
    };
    return `${e.response?.status ?? e.status} ${e.response?.data?.error?.errors?.[0]?.reason ?? ''}`;
  }
  return 'no error';
}
