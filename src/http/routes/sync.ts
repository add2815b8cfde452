import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../errors.ts';
import { createSyncRunsService, type SyncRunsServiceDeps } from '../../sync/sync-runs-service.ts';
import { currentUser } from '../server.ts';

const RunSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  counts: z.record(z.string(), z.number()),
  progress: z
    .object({ written: z.number().int(), toWrite: z.number().int(), message: z.string() })
    .nullable(),
  googleCalls: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  notes: z.array(z.string()),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});

/** What the sync routes need: the same as the sync runs service. */
export type SyncRouteDeps = SyncRunsServiceDeps;

const StartedSchema = z.object({ runId: z.uuid(), status: z.string(), joined: z.boolean() });

/** Start a Canvas → Google sync or a calendar follow, and watch either (under /api/v1). */
export function syncRoutes(deps: SyncRouteDeps): FastifyPluginAsyncZod {
  const service = createSyncRunsService(deps);

  return async (app) => {
    app.post(
      '/sync/canvas',
      { schema: { tags: ['sync'], response: { 202: StartedSchema } } },
      async (request, reply) =>
        reply.status(202).send(await service.start(currentUser(request).id, 'canvas')),
    );

    app.post(
      '/sync/calendars',
      {
        schema: {
          tags: ['sync'],
          description:
            'Bring the cache of the followed calendars (CanvasCal’s own, and your primary calendar if you allowed it) up to date; records your own edits to CanvasCal’s events.',
          response: { 202: StartedSchema },
        },
      },
      async (request, reply) =>
        reply.status(202).send(await service.start(currentUser(request).id, 'calendars')),
    );

    app.get(
      '/sync/runs/:id',
      {
        schema: {
          tags: ['sync'],
          params: z.object({ id: z.uuid('run id must be a UUID') }),
          response: { 200: RunSchema },
        },
      },
      async (request) => {
        const run = await service.run(currentUser(request).id, request.params.id);
        if (!run) throw notFound('No sync run with that id for your account.');
        return run;
      },
    );

    app.get(
      '/sync/status',
      {
        schema: {
          tags: ['sync'],
          response: {
            200: z.object({
              google: z.object({ status: z.string(), message: z.string().optional() }),
              canvas: z.object({
                status: z.string(),
                baseUrl: z.string().optional(),
                tokenExpiresAt: z.string().nullable().optional(),
                message: z.string().optional(),
              }),
              syncErrorCount: z.number().int(),
              lastRun: RunSchema.nullable(),
              recentRuns: z.array(RunSchema),
              userEdits: z.array(
                z.object({ sourceKey: z.string(), title: z.string(), edit: z.enum(['moved', 'deleted']) }),
              ),
              undated: z.array(
                z.object({
                  sourceKey: z.string(),
                  title: z.string(),
                  courseName: z.string().nullable(),
                  htmlUrl: z.string().nullable(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => service.status(currentUser(request).id),
    );
  };
}
