import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden } from '../../errors.ts';
import { CANVASCAL_NAMESPACE, uuidv5 } from '../../ids.ts';
import type { LocalTokenIssuer } from '../auth.ts';
import { cameThroughProxy } from '../proxy-trust.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::(\d{1,5}))?$/i;
// A fetch the user started themselves (typed URL, curl sends none) or from our own pages.
const SAME_ORIGIN_FETCH_SITES = new Set(['same-origin', 'none']);

/**
 * The embedded default's single-user sign-in: no password, so it answers only to callers
 * on this machine: the socket's own peer address (never `request.ip`, which trusts
 * X-Forwarded-For behind a proxy) must be loopback, and no proxy may have relayed the
 * request (a proxy on this machine makes every visitor look local). The request must also
 * be addressed to this machine by a loopback name and this server's port, and come from
 * our own origin: a page on attacker.example that rebinds its name to 127.0.0.1 reaches
 * the socket from loopback, but its `Host` is attacker.example and its `Origin` (or
 * `Sec-Fetch-Site`) says cross-site. Production deployments verify Supabase tokens instead
 * and do not mount it; neither does a server behind a proxy.
 */
export function localLoginRoutes(issuer: LocalTokenIssuer): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/api/v1/auth/local/login',
      {
        schema: {
          tags: ['account'],
          security: [],
          body: z
            .object({ email: z.email().max(254).default('student@localhost') })
            .default({ email: 'student@localhost' }),
          response: {
            200: z.object({
              accessToken: z.string(),
              tokenType: z.literal('Bearer'),
              expiresIn: z.number().int(),
              user: z.object({ id: z.uuid(), email: z.string() }),
            }),
          },
        },
      },
      async (request) => {
        const peer = request.raw.socket.remoteAddress ?? '';
        if (!LOOPBACK.has(peer) || cameThroughProxy(request.headers)) {
          throw forbidden(
            'Local sign-in only answers on this machine; configure AUTH_JWT_SECRET for remote users.',
          );
        }
        refuseForeignPages(request);
        const email = request.body.email.toLowerCase();
        const user = { id: uuidv5(`local-user:${email}`, CANVASCAL_NAMESPACE), email };
        const accessToken = await issuer.issue(user);
        return { accessToken, tokenType: 'Bearer' as const, expiresIn: issuer.ttlSeconds, user };
      },
    );
  };
}

/** Host must name this machine and this server's port; Origin and Sec-Fetch-Site, when sent, this origin. */
function refuseForeignPages(request: FastifyRequest): void {
  const host = request.headers.host ?? '';
  // The port the connection really arrived on; an in-process inject has none to compare.
  const port = request.raw.socket.localPort;
  const match = LOOPBACK_HOST.exec(host);
  if (!match || (port !== undefined && Number(match[1] ?? 80) !== port)) {
    throw forbidden(
      `Local sign-in only answers requests addressed to this machine (Host 127.0.0.1, localhost or [::1] with this server's port), not "${host.slice(0, 100)}"; open CanvasCal at ${port !== undefined ? `http://127.0.0.1:${port}` : 'http://127.0.0.1'}.`,
      'local_sign_in_refused',
    );
  }
  const self = new URL(`http://${host}`).origin;
  const origin = request.headers.origin;
  const site = request.headers['sec-fetch-site'];
  const crossOrigin = origin !== undefined && (!URL.canParse(origin) || new URL(origin).origin !== self);
  if (crossOrigin || (typeof site === 'string' && !SAME_ORIGIN_FETCH_SITES.has(site))) {
    throw forbidden(
      `Local sign-in refuses cross-site requests (${crossOrigin ? `Origin ${String(origin).slice(0, 100)}` : `Sec-Fetch-Site ${site}`}); sign in from CanvasCal's own page at ${self}.`,
      'cross_site_request',
    );
  }
}
