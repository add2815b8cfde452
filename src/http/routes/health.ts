import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound, unauthorized } from '../../errors.ts';
import type { Metrics } from '../../metrics.ts';

/** A dependency `/readyz` checks: resolves when reachable, rejects (or times out) when not. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const READINESS_TIMEOUT_MS = 2_000;

/**
 * Who may read `/metrics`: with a token, only callers sending it as a bearer token; without
 * one, everybody outside production and nobody in production (metrics name routes, job
 * volumes and failure rates, which are the operator's business).
 */
export interface MetricsAccess {
  token: string | undefined;
  production: boolean;
}

export function healthRoutes(
  checks: ReadinessCheck[],
  metrics: Metrics,
  access: MetricsAccess = { token: undefined, production: false },
): FastifyPluginAsyncZod {
  const expected = access.token === undefined ? undefined : digest(access.token);
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

    app.get('/metrics', { logLevel: 'warn', schema: { hide: true } }, async (request, reply) => {
      if (expected === undefined && access.production)
        throw notFound(
          '/metrics is off in production until METRICS_TOKEN is set; then send it as a bearer token.',
        );
      if (expected !== undefined) {
        const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
        if (given === undefined || !timingSafeEqual(digest(given), expected))
          throw unauthorized(
            'Send Authorization: Bearer <METRICS_TOKEN> to read /metrics.',
            'metrics_token_required',
          );
      }
      reply.header('content-type', metrics.registry.contentType);
      return metrics.registry.metrics();
    });
  };
}

// Compared as digests, so the comparison takes the same time whatever the length sent.
const digest = (text: string) => createHash('sha256').update(text).digest();

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
