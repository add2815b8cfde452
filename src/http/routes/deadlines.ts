import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeadlinesRepo } from '../../db/deadlines-repo.ts';
import { badRequest, notFound } from '../../errors.ts';
import { apiInstant } from '../instant.ts';
import { currentUser } from '../server.ts';

const Instant = apiInstant();
const MAX_RANGE_DAYS = 366;
const MIN_EFFORT_MINUTES = 5;
const MAX_EFFORT_MINUTES = 6_000;

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
    app.put(
      '/deadlines/:sourceKey/effort',
      {
        schema: {
          tags: ['planner'],
          description:
            "Sets the student's own estimate of the work a deadline takes, in minutes, which the planner then plans instead of its estimate; `null` returns to the planner's estimate. Kept across Canvas syncs while the item exists.",
          params: z.object({
            sourceKey: z
              .string()
              .min(1)
              .max(300)
              .refine((key) => !/\p{Cc}/u.test(key), {
                message: 'must be a sourceKey from GET /api/v1/deadlines (no control characters)',
              }),
          }),
          body: z
            .object({
              effortMinutes: z
                .number({ message: 'effortMinutes must be a whole number of minutes, or null' })
                .int('effortMinutes must be a whole number of minutes')
                .min(MIN_EFFORT_MINUTES, `effortMinutes must be at least ${MIN_EFFORT_MINUTES}`)
                .max(MAX_EFFORT_MINUTES, `effortMinutes must be at most ${MAX_EFFORT_MINUTES} (100 hours)`)
                .nullable(),
            })
            .strict(),
          response: { 200: z.object({ sourceKey: z.string(), effortMinutes: z.number().nullable() }) },
        },
      },
      async (request) => {
        const { sourceKey } = request.params;
        const { effortMinutes } = request.body;
        if (!(await deadlines.setEffort(currentUser(request).id, sourceKey, effortMinutes)))
          throw notFound(
            `No deadline ${sourceKey} for you: use a sourceKey from GET /api/v1/deadlines.`,
            'deadline_not_found',
          );
        return { sourceKey, effortMinutes };
      },
    );

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
