import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors.ts';
import type { GoogleConnection } from '../../google/google-connection.ts';
import { htmlPage } from '../html-page.ts';
import {
  bindStateToBrowser,
  clearStateBinding,
  notThisBrowserMessage,
  stateBoundToBrowser,
} from '../oauth-browser-binding.ts';
import { reachedOverHttps } from '../proxy-trust.ts';
import { currentUser } from '../server.ts';

const StatusSchema = z.object({
  status: z.enum(['not_connected', 'connected', 'reconnect_needed', 'disconnected']),
  grantedScopes: z.array(z.string()),
  features: z.object({
    deadlines: z.boolean(),
    calendarDiscovery: z.boolean(),
    freeBusy: z.boolean(),
    primaryCalendarSync: z.boolean(),
  }),
  message: z.string().optional(),
});

// OAuth codes and states are opaque strings from Google; bound their size, not their shape.
const CodeSchema = z.string().trim().min(1, 'code is required').max(2048);
const StateSchema = z.string().trim().min(1, 'state is required').max(512);

/** Connect, inspect and disconnect the signed-in user's Google account (under /api/v1). */
export function googleAuthRoutes(
  google: GoogleConnection,
  options: { secureCookies: boolean },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/auth/google/url',
      {
        schema: {
          tags: ['google'],
          querystring: z.object({
            loginHint: z.email().optional(),
            includePrimaryEvents: z.enum(['true', 'false']).optional(),
          }),
          response: { 200: z.object({ url: z.url(), expiresAt: z.iso.datetime() }) },
        },
      },
      async (request, reply) => {
        const { url, state, expiresAt } = await google.authorizationUrl(currentUser(request).id, {
          ...(request.query.loginHint ? { loginHint: request.query.loginHint } : {}),
          includePrimaryEvents: request.query.includePrimaryEvents === 'true',
        });
        bindStateToBrowser(reply, 'google', state, {
          secure: options.secureCookies || reachedOverHttps(request),
        });
        return { url, expiresAt: expiresAt.toISOString() };
      },
    );

    app.post(
      '/auth/google/token',
      {
        schema: {
          tags: ['google'],
          body: z.object({ code: CodeSchema, state: StateSchema }),
          response: { 200: StatusSchema },
        },
      },
      async (request) => {
        const { userId: _userId, ...status } = await google.complete(request.body, currentUser(request).id);
        return withoutUndefined(status);
      },
    );

    app.get(
      '/auth/google',
      { schema: { tags: ['google'], response: { 200: StatusSchema } } },
      async (request) => withoutUndefined(await google.status(currentUser(request).id)),
    );

    app.delete(
      '/auth/google',
      { schema: { tags: ['google'], response: { 204: z.null() } } },
      async (request, reply) => {
        await google.disconnect(currentUser(request).id);
        return reply.status(204).send(null);
      },
    );
  };
}

/**
 * The browser redirect flow: Google sends the user back here with `code` and `state` (or
 * `error`). No bearer token comes with a redirect, so the signed, single-use state says
 * whose grant it is. Answers a small page, never the token.
 */
export function googleCallbackRoutes(
  google: GoogleConnection,
  options: {
    dashboardUrl: string;
    /**
     * Finish only in the browser that asked for the consent URL. Off for the embedded
     * default's local sign-in, where everyone is the one user of this machine.
     */
    requireSameBrowser: boolean;
    /** A same-origin path (the web page) the browser returns to once Google is connected. */
    returnTo?: string;
  },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/auth/google/callback',
      {
        schema: {
          tags: ['google'],
          security: [],
          querystring: z.object({
            code: CodeSchema.optional(),
            state: StateSchema.optional(),
            error: z.string().max(200).optional(),
          }),
        },
      },
      async (request, reply) => {
        const { code, state, error } = request.query;
        reply.type('text/html; charset=utf-8');
        if (error) {
          return reply
            .status(400)
            .send(
              htmlPage(
                'Google was not connected',
                `Google said: ${error}. You can try again from CanvasCal.`,
              ),
            );
        }
        if (!code || !state) {
          return reply
            .status(400)
            .send(
              htmlPage(
                'Google was not connected',
                'The link is missing its code or state; start again from CanvasCal.',
              ),
            );
        }
        // Only the browser that asked for the consent URL may finish here; an app holding
        // the user's token posts {code, state} to /auth/google/token instead.
        if (options.requireSameBrowser && !stateBoundToBrowser(request, 'google', state))
          return reply
            .status(400)
            .send(htmlPage('Google was not connected yet', notThisBrowserMessage('google', code, state)));
        clearStateBinding(reply, 'google');
        try {
          await google.complete({ code, state });
        } catch (caught) {
          if (caught instanceof AppError && caught.status < 500) {
            return reply.status(caught.status).send(htmlPage('Google was not connected', caught.message));
          }
          throw caught;
        }
        return reply
          .status(200)
          .send(
            htmlPage(
              'Google is connected',
              `CanvasCal can now keep your deadlines in Google Calendar. You can close this tab, or open ${options.dashboardUrl}.`,
              options.returnTo ? { returnTo: options.returnTo } : {},
            ),
          );
      },
    );
  };
}

function withoutUndefined<T extends { message: string | undefined }>(
  status: T,
): Omit<T, 'message'> & { message?: string } {
  const { message, ...rest } = status;
  return message === undefined ? rest : { ...rest, message };
}
