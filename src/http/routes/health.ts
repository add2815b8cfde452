import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Metrics } from '../../metrics.ts';

/** A dependency `/readyz` checks: resolves when reachable, rejects (or times out) when not. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const READINESS_TIMEOUT_MS = 2_000;

export function healthRoutes(checks: ReadinessCheck[], metrics: Metrics): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/healthz',
      { logLevel: 'warn', schema: { hide: true, response: { 200: z.object({ status: z.literal('ok') }) } } },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        logLevel: 'warn',
        schema: {
          hide: true,
          response: {
            200: z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) }),
            503: z.object({
              status: z.literal('not_ready'),
              checks: z.record(z.string(), z.string()),
              error: z.object({ code: z.string(), message: z.string() }),
            }),
          },
        },
      },
      async (_request, reply) => {
        const results = await Promise.all(
          checks.map(async ({ name, check }) => [name, await runCheck(check)] as const),
        );
        const report = Object.fromEntries(results);
        const failed = results.filter(([, result]) => result !== 'ok').map(([name]) => name);
        if (failed.length === 0) return reply.send({ status: 'ready' as const, checks: report });
        return reply.status(503).send({
          status: 'not_ready' as const,
          checks: report,
          error: { code: 'not_ready', message: `Not reachable: ${failed.join(', ')}` },
        });
      },
    );

    app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (_request, reply) => {
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}

async function runCheck(check: () => Promise<void>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${READINESS_TIMEOUT_MS} ms`)),
          READINESS_TIMEOUT_MS,
        );
      }),
    ]);
    return 'ok';
  } catch (error) {
    return `down: ${(error as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
