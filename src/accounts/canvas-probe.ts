import { InternalAddressError } from '../net/guarded-fetch.ts';
import type { CanvasProbe } from './canvas-account.ts';

const USER_AGENT = 'CanvasCal/0.1 (+https://github.com/canvascal)';

/**
 * Asks Canvas's `/api/v1/users/self` who a token belongs to. Canvas answers a dead token
 * with 401 and `WWW-Authenticate`, a token without the permission with 401 and no such header.
 */
export function createCanvasProbe(options: { fetch?: typeof fetch; timeoutMs?: number } = {}): CanvasProbe {
  const doFetch = options.fetch ?? fetch;
  const get = (baseUrl: string, path: string, token: string) =>
    doFetch(`${baseUrl}${path}`, {
      headers: {
        authorization: `Bearer ${token}`,
        'user-agent': USER_AGENT,
        accept: 'application/json+canvas-string-ids',
      },
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      redirect: 'manual',
    });
  return {
    async timeZone(baseUrl, token) {
      // The profile is where Canvas reliably says the zone; /users/self often leaves it out.
      try {
        const response = await get(baseUrl, '/api/v1/users/self/profile', token);
        if (!response.ok) return undefined;
        const body = (await response.json().catch(() => undefined)) as { time_zone?: unknown } | undefined;
        return typeof body?.time_zone === 'string' && body.time_zone ? body.time_zone : undefined;
      } catch {
        return undefined;
      }
    },
    async whoAmI(baseUrl, token) {
      let response: Response;
      try {
        response = await get(baseUrl, '/api/v1/users/self', token);
      } catch (error) {
        if ((error as { cause?: unknown }).cause instanceof InternalAddressError)
          return { ok: false, code: 'internal_address', message: 'refused: not a public address' };
        return { ok: false, code: 'unreachable', message: 'could not connect' };
      }
      if (response.status === 401) {
        return response.headers.has('www-authenticate')
          ? { ok: false, code: 'token_invalid', message: 'Invalid access token.' }
          : { ok: false, code: 'forbidden', message: 'user not authorized to perform that action' };
      }
      const body: unknown = await response.json().catch(() => undefined);
      const user = body as { id?: unknown; name?: unknown; time_zone?: unknown } | undefined;
      if (!response.ok || (typeof user?.id !== 'string' && typeof user?.id !== 'number')) {
        return {
          ok: false,
          code: 'not_canvas',
          message: `answered HTTP ${response.status} without a Canvas user`,
        };
      }
      return {
        ok: true,
        id: String(user.id),
        name: typeof user.name === 'string' ? user.name : '',
        // The zone the student set in Canvas (an IANA name); absent on some older servers.
        timeZone: typeof user.time_zone === 'string' && user.time_zone ? user.time_zone : undefined,
      };
    },
  };
}
