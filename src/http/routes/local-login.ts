import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden } from '../../errors.ts';
import { CANVASCAL_NAMESPACE, uuidv5 } from '../../ids.ts';
import type { LocalTokenIssuer } from '../auth.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

// Headers a reverse proxy adds: a request carrying any of them came from elsewhere.
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip', 'x-forwarded-host'];

/**
 * The embedded default's single-user sign-in: no password, so it answers only to callers
 * on this machine: the socket's own peer address (never `request.ip`, which trusts
 * X-Forwarded-For behind a proxy) must be loopback, and no proxy may have forwarded the
 * request (a proxy on this machine makes every visitor look local). Production deployments
 * verify Supabase tokens instead and do not mount it; neither does a server behind a proxy.
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
        const forwarded = FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined);
        if (!LOOPBACK.has(peer) || forwarded) {
          throw forbidden(
            'Local sign-in only answers on this machine; configure AUTH_JWT_SECRET for remote users.',
          );
        }
        const email = request.body.email.toLowerCase();
        const user = { id: uuidv5(`local-user:${email}`, CANVASCAL_NAMESPACE), email };
        const accessToken = await issuer.issue(user);
        return { accessToken, tokenType: 'Bearer' as const, expiresIn: issuer.ttlSeconds, user };
      },
    );
  };
}
