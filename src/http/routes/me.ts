import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UsersRepo } from '../../db/users-repo.ts';
import { notFound } from '../../errors.ts';
import { type GoogleStatus, googleStatusOf } from '../../google/google-status.ts';
import { currentUser } from '../server.ts';

const MeSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  timeZone: z.string(),
  google: z.object({
    connected: z.boolean(),
    status: z.enum(['not_connected', 'connected', 'reconnect_needed', 'disconnected']),
    message: z.string().optional(),
  }),
});

/**
 * The signed-in user's own record; the first route every client calls. Its Google state is
 * the one `/auth/google` and `/sync/status` answer (`googleStatus`; without Google configured,
 * never connected).
 */
export function meRoutes(
  users: UsersRepo,
  googleStatus: (userId: string) => Promise<GoogleStatus> = async () => googleStatusOf(undefined),
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/me', { schema: { tags: ['account'], response: { 200: MeSchema } } }, async (request) => {
      const user = await users.get(currentUser(request).id);
      if (!user) throw notFound('Your account was not found; sign in again.');
      const google = await googleStatus(user.id);
      return {
        id: user.id,
        email: user.email,
        timeZone: user.timeZone,
        google: {
          connected: google.status === 'connected',
          status: google.status,
          ...(google.message !== undefined ? { message: google.message } : {}),
        },
      };
    });
  };
}
