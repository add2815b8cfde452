import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeleteStudentData } from '../../accounts/data-deletion.ts';
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

const CONFIRM_MESSAGE =
  'send {"confirm": true} to delete all your CanvasCal data (ask the student first: this cannot be undone)';

const DeleteBodySchema = z
  .object(
    {
      confirm: z.literal(true, { error: CONFIRM_MESSAGE }),
      /** Also delete the calendars CanvasCal created in the student's Google (default: keep them). */
      removeCalendars: z.boolean().optional(),
    },
    // A missing or non-object body gets the same hint; an unknown key keeps zod's own message.
    { error: (issue) => (issue.code === 'invalid_type' ? CONFIRM_MESSAGE : undefined) },
  )
  .strict();

const DeletedSchema = z.object({
  deleted: z.literal(true),
  channelsStopped: z.number().int(),
  calendarsRemoved: z.number().int(),
  grantRevoked: z.boolean(),
  notes: z.array(z.string()),
});

export interface MeDeps {
  users: UsersRepo;
  googleStatus?: (userId: string) => Promise<GoogleStatus>;
  deleteData?: DeleteStudentData;
  /** Called once a user's data is gone, so the next request with their token starts them anew. */
  forgetUser?: (userId: string) => void;
}

/**
 * The signed-in user's own record; the first route every client calls. Its Google state is
 * the one `/auth/google` and `/sync/status` answer (`googleStatus`; without Google configured,
 * never connected).
 */
export function meRoutes(deps: MeDeps): FastifyPluginAsyncZod {
  const { users } = deps;
  const googleStatus = deps.googleStatus ?? (async () => googleStatusOf(undefined));
  return async (app) => {
    app.get('/me', { schema: { tags: ['account'], response: { 200: MeSchema } } }, async (request) => {
      const caller = currentUser(request);
      // A student who deleted their data and signs in again (same token, or another process
      // that still thinks the row exists) starts as a new user.
      if (!(await users.get(caller.id))) await users.ensure(caller.id, caller.email);
      const user = await users.get(caller.id);
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

    const deleteData = deps.deleteData;
    if (!deleteData) return;
    app.delete(
      '/me',
      {
        schema: {
          tags: ['account'],
          description:
            'Deletes everything CanvasCal holds about the student: stops the push channels, revokes the Google grant, deletes every row; with removeCalendars also the calendars CanvasCal created in Google. What could not be done at Google is in notes.',
          body: DeleteBodySchema,
          response: { 200: DeletedSchema },
        },
      },
      async (request) => {
        const userId = currentUser(request).id;
        const outcome = await deleteData(userId, { removeCalendars: request.body.removeCalendars ?? false });
        deps.forgetUser?.(userId);
        return outcome;
      },
    );
  };
}
