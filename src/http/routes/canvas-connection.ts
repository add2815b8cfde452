import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CanvasAccount } from '../../accounts/canvas-account.ts';
import { forbidden } from '../../errors.ts';
import { currentUser } from '../server.ts';

export const CanvasStatusSchema = z.object({
  status: z.enum(['not_connected', 'connected', 'reconnect_needed']),
  baseUrl: z.string().optional(),
  authKind: z.enum(['personal_token', 'oauth']).optional(),
  tokenExpiresAt: z.string().nullable().optional(),
  message: z.string().optional(),
});

/**
 * Connect Canvas with a personal access token, see the connection, remove it (under /api/v1).
 * With `demo` (the embedded default's Canvas emulator), one call connects its demo student,
 * so the demo token never has to be shown or logged.
 */
export function canvasConnectionRoutes(
  canvas: CanvasAccount,
  options: { personalTokens: boolean; demo?: { baseUrl: string; token: string } | undefined },
): FastifyPluginAsyncZod {
  const { demo } = options;
  return async (app) => {
    if (demo) {
      app.post(
        '/canvas/connection/demo',
        {
          schema: {
            tags: ['canvas'],
            description: 'Embedded default only: connect the built-in Canvas emulator’s demo student.',
            response: { 200: CanvasStatusSchema },
          },
        },
        async (request) => canvas.connectWithToken(currentUser(request).id, demo),
      );
    }

    app.put(
      '/canvas/connection',
      {
        schema: {
          tags: ['canvas'],
          body: z.object({
            baseUrl: z.string().trim().min(1, "baseUrl is required: your school's Canvas address").max(2048),
            token: z.string().trim().min(10, 'token looks too short for a Canvas access token').max(512),
            expiresAt: z.iso
              .datetime({ offset: true, message: 'expiresAt must be an ISO 8601 date-time with an offset' })
              .optional(),
          }),
          response: { 200: CanvasStatusSchema },
        },
      },
      async (request) => {
        if (!options.personalTokens)
          throw forbidden(
            "This CanvasCal serves many students, and Canvas's terms do not allow it to ask for personal access tokens; connect through your school's Canvas sign-in instead (GET /api/v1/auth/canvas/url).",
            'personal_tokens_disabled',
          );
        return canvas.connectWithToken(currentUser(request).id, {
          baseUrl: request.body.baseUrl,
          token: request.body.token,
          expiresAt: request.body.expiresAt ? new Date(request.body.expiresAt) : undefined,
        });
      },
    );

    app.get(
      '/canvas/connection',
      { schema: { tags: ['canvas'], response: { 200: CanvasStatusSchema } } },
      async (request) => canvas.status(currentUser(request).id),
    );

    app.delete(
      '/canvas/connection',
      { schema: { tags: ['canvas'], response: { 204: z.null() } } },
      async (request, reply) => {
        await canvas.disconnect(currentUser(request).id);
        return reply.status(204).send(null);
      },
    );
  };
}
