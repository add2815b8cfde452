import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { UsersRepo } from '../../db/users-repo.ts';
import { notFound } from '../../errors.ts';
import { currentUser } from '../server.ts';

const MeSchema = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  timeZone: z.string(),
  google: z.object({ connected: z.boolean() }),
});

/** The signed-in user's own record; the first route every client calls. */
export function meRoutes(users: UsersRepo): FastifyPluginAsyncZod {
  return async (app) => {
    app.get('/me', { schema: { tags: ['account'], response: { 200: MeSchema } } }, async (request) => {
      const user = await users.get(currentUser(request).id);
      if (!user) throw notFound('Your account was not found; sign in again.');
      return {
        id: user.id,
        email: user.email,
        timeZone: user.timeZone,
        google: { connected: user.hasGoogleToken },
      };
    });
  };
}
