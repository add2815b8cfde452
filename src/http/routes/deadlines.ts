import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeadlinesRepo } from '../../db/deadlines-repo.ts';
import { badRequest } from '../../errors.ts';
import { apiInstant } from '../instant.ts';
import { currentUser } from '../server.ts';

const Instant = apiInstant();
const MAX_RANGE_DAYS = 366;

const DeadlineOut = z.object({
  sourceKey: z.string(),
  kind: z.string(),
  title: z.string(),
  courseName: z.string().nullable(),
  /** UTC; the page shows it in the student's zone. */
  dueAt: z.string(),
  allDay: z.boolean(),
  allDayDate: z.string().nullable(),
  pointsPossible: z.number().nullable(),
  submitted: z.boolean(),
  htmlUrl: z.string().nullable(),
  effortMinutes: z.number().nullable(),
});

/**
 * The signed-in user's dated Canvas deadlines due in [from, to), as last read completely
 * from Canvas (under /api/v1). Half-open, so a deadline at midnight between two weeks a
 * page shows is in exactly one of them. Read-only; undated items are in GET /sync/status.
 */
export function deadlineRoutes(deadlines: DeadlinesRepo): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/deadlines',
      {
        schema: {
          tags: ['sync'],
          querystring: z.object({ from: Instant, to: Instant }),
          response: { 200: z.object({ deadlines: z.array(DeadlineOut) }) },
        },
      },
      async (request) => {
        const from = new Date(request.query.from);
        const to = new Date(request.query.to);
        if (to <= from) throw badRequest('to must be after from.', 'invalid_range');
        if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000)
          throw badRequest(`Ask for at most ${MAX_RANGE_DAYS} days at a time.`, 'invalid_range');
        const rows = await deadlines.list(currentUser(request).id, { from, to });
        return {
          deadlines: rows.flatMap(({ courseId: _c, dueAt, ...rest }) =>
            dueAt && dueAt < to ? [{ ...rest, dueAt: dueAt.toISOString() }] : [],
          ),
        };
      },
    );
  };
}
