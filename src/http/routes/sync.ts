import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeadlinesRepo } from '../../db/deadlines-repo.ts';
import type { SyncRun, SyncRunsRepo } from '../../db/sync-runs-repo.ts';
import { AppError, notFound } from '../../errors.ts';
import { currentUser } from '../server.ts';

const RunSchema = z.object({
  id: z.uuid(),
  kind: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  counts: z.record(z.string(), z.number()),
  googleCalls: z.number().int(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  notes: z.array(z.string()),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
});

export interface SyncRouteDeps {
  runs: SyncRunsRepo;
  deadlines: DeadlinesRepo;
  /** Puts the run on the queue; rejects with a 503 AppError when the queue is unreachable. */
  /** Idempotent per run; `finished` when the queue already ended the run's job. */
  enqueueCanvasSync(userId: string, runId: string): Promise<'held' | 'added' | 'finished'>;
  /** Puts a calendar follow (delta sync of the followed calendars) on the queue. */
  enqueueCalendarFollow(userId: string, runId: string): Promise<'held' | 'added' | 'finished'>;
  /** Rejects (with a 409 AppError saying what to connect) when a run of `kind` cannot work now. */
  checkReady(userId: string, kind: 'canvas' | 'calendars'): Promise<void>;
  /** The student's own edits to our events (moved, deleted in Google), by source key. */
  userEdits(userId: string): Promise<Array<{ sourceKey: string; edit: 'moved' | 'deleted' }>>;
  /** Connection summaries for the status page. */
  status(userId: string): Promise<{
    google: { status: string; message?: string | undefined };
    canvas: {
      status: string;
      baseUrl?: string | undefined;
      tokenExpiresAt?: string | null | undefined;
      message?: string | undefined;
    };
    syncErrorCount: number;
  }>;
}

const StartedSchema = z.object({ runId: z.uuid(), status: z.string(), joined: z.boolean() });

/** Start a Canvas → Google sync or a calendar follow, and watch either (under /api/v1). */
export function syncRoutes(deps: SyncRouteDeps): FastifyPluginAsyncZod {
  /** A run of `kind`, or the one already queued or running, put on the queue once. */
  const start = async (
    userId: string,
    kind: 'canvas' | 'calendars',
    enqueue: (userId: string, runId: string) => Promise<'held' | 'added' | 'finished'>,
    again = false,
  ): Promise<{ runId: string; status: string; joined: boolean }> => {
    // Say now what is missing, rather than accept a run that can only fail later.
    await deps.checkReady(userId, kind);
    const { run, joined } = await deps.runs.createOrJoin(userId, kind);
    if (joined) {
      // Joining promises the run will happen: the queue must still hold its job. A job lost
      // with Redis's data is added again; an unreachable queue is a 503, not a 202.
      const outcome = await enqueue(userId, run.id);
      if (outcome === 'finished' && !again) {
        // The queue ended the job without the run (it failed before it could start): this
        // run will never move, so it is failed and a new one takes its place.
        await deps.runs.finish(run.id, {
          status: 'failed',
          counts: {},
          googleCalls: 0,
          errorCode: 'interrupted',
          errorMessage: 'This run never started (its job ended without it); a new one was queued.',
        });
        return start(userId, kind, enqueue, true);
      }
    } else {
      try {
        await enqueue(userId, run.id);
      } catch (error) {
        // The run must not sit "queued" forever when it never reached the queue.
        await deps.runs.finish(run.id, {
          status: 'failed',
          counts: {},
          googleCalls: 0,
          errorCode: 'queue_unavailable',
          errorMessage: 'The job queue was unreachable; nothing was synced. Try again shortly.',
        });
        if (error instanceof AppError) throw error;
        throw new AppError('queue_unavailable', 'The job queue is unreachable; try again shortly.', 503, {
          cause: error,
        });
      }
    }
    return { runId: run.id, status: run.status, joined };
  };

  return async (app) => {
    app.post(
      '/sync/canvas',
      { schema: { tags: ['sync'], response: { 202: StartedSchema } } },
      async (request, reply) =>
        reply.status(202).send(await start(currentUser(request).id, 'canvas', deps.enqueueCanvasSync)),
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
        reply.status(202).send(await start(currentUser(request).id, 'calendars', deps.enqueueCalendarFollow)),
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
        const run = await deps.runs.get(currentUser(request).id, request.params.id);
        if (!run) throw notFound('No sync run with that id for your account.');
        return present(run);
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
      async (request) => {
        const userId = currentUser(request).id;
        const [status, runs, deadlines, edits] = await Promise.all([
          deps.status(userId),
          deps.runs.latest(userId, 'canvas', 10),
          deps.deadlines.list(userId),
          deps.userEdits(userId),
        ]);
        const titles = new Map(deadlines.map((d) => [d.sourceKey, d.title]));
        return {
          ...status,
          lastRun: runs[0] ? present(runs[0]) : null,
          recentRuns: runs.map(present),
          userEdits: edits.map((e) => ({ ...e, title: titles.get(e.sourceKey) ?? e.sourceKey })),
          undated: deadlines
            .filter((d) => d.dueAt === null)
            .map((d) => ({
              sourceKey: d.sourceKey,
              title: d.title,
              courseName: d.courseName,
              htmlUrl: d.htmlUrl,
            })),
        };
      },
    );
  };
}

function present(run: SyncRun): z.infer<typeof RunSchema> {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    counts: run.counts,
    googleCalls: run.googleCalls,
    error: run.errorCode ? { code: run.errorCode, message: run.errorMessage ?? run.errorCode } : null,
    notes: run.notes,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}
