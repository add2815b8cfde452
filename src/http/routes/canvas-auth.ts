import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CanvasAccount } from '../../accounts/canvas-account.ts';
import { AppError } from '../../errors.ts';
import { htmlPage } from '../html-page.ts';
import {
  bindStateToBrowser,
  clearStateBinding,
  notThisBrowserMessage,
  stateBoundToBrowser,
} from '../oauth-browser-binding.ts';
import { reachedOverHttps } from '../proxy-trust.ts';
import { currentUser } from '../server.ts';
import { CanvasStatusSchema } from './canvas-connection.ts';

// Codes and states are opaque strings from Canvas and from us; bound their size, not their shape.
const CodeSchema = z.string().trim().min(1, 'code is required').max(2048);
const StateSchema = z.string().trim().min(1, 'state is required').max(512);

/** Connect Canvas with OAuth2 and the school's developer key (under /api/v1). */
export function canvasAuthRoutes(
  canvas: CanvasAccount,
  options: {
    secureCookies: boolean;
    /** The Canvas addresses with a developer key here: the schools a student can sign in to. */
    schools: readonly string[];
  },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/auth/canvas/schools',
      {
        schema: {
          tags: ['canvas'],
          description:
            'The Canvas addresses CanvasCal has a developer key for (CANVAS_DEVELOPER_KEYS): the schools whose Canvas sign-in works here. Empty: connect with a personal access token instead, where allowed.',
          response: { 200: z.object({ schools: z.array(z.object({ baseUrl: z.string() })) }) },
        },
      },
      async () => ({ schools: options.schools.map((baseUrl) => ({ baseUrl })) }),
    );

    app.get(
      '/auth/canvas/url',
      {
        schema: {
          tags: ['canvas'],
          description:
            "The consent URL at the school's Canvas. Needs a developer key for that Canvas (CANVAS_DEVELOPER_KEYS).",
          querystring: z.object({
            baseUrl: z
              .string()
              .trim()
              .min(1, "baseUrl is required: your school's Canvas address, e.g. https://canvas.school.edu")
              .max(2048),
          }),
          response: { 200: z.object({ url: z.url(), expiresAt: z.iso.datetime() }) },
        },
      },
      async (request, reply) => {
        const { url, state, expiresAt } = await canvas.authorizationUrl(
          currentUser(request).id,
          request.query.baseUrl,
        );
        bindStateToBrowser(reply, 'canvas', state, {
          secure: options.secureCookies || reachedOverHttps(request),
        });
        return { url, expiresAt: expiresAt.toISOString() };
      },
    );

    app.post(
      '/auth/canvas/token',
      {
        schema: {
          tags: ['canvas'],
          body: z.object({ code: CodeSchema, state: StateSchema }),
          response: { 200: CanvasStatusSchema },
        },
      },
      async (request) => {
        const { userId: _userId, ...status } = await canvas.completeAuthorization(
          request.body,
          currentUser(request).id,
        );
        return status;
      },
    );
  };
}

/**
 * The browser redirect flow: Canvas sends the user back here with `code` and `state` (or
 * `error`). No bearer token comes with a redirect, so the signed, single-use state says
 * whose connection it is. Answers a small page, never the token.
 */
export function canvasCallbackRoutes(
  canvas: CanvasAccount,
  options: {
    dashboardUrl: string;
    requireSameBrowser: boolean;
    /** A same-origin path (the web page) the browser returns to once Canvas is connected. */
    returnTo?: string;
  },
): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/v1/auth/canvas/callback',
      {
        schema: {
          tags: ['canvas'],
          security: [],
          querystring: z.object({
            code: CodeSchema.optional(),
            state: StateSchema.optional(),
            error: z.string().max(200).optional(),
            error_description: z.string().max(500).optional(),
          }),
        },
      },
      async (request, reply) => {
        const { code, state, error } = request.query;
        reply.type('text/html; charset=utf-8');
        const failed = (status: number, message: string) =>
          reply.status(status).send(htmlPage('Canvas was not connected', message));
        if (error === 'access_denied')
          return failed(
            400,
            'You chose not to authorize CanvasCal in Canvas. You can try again from CanvasCal.',
          );
        if (error) return failed(400, `Canvas said: ${error}. You can try again from CanvasCal.`);
        if (!code || !state)
          return failed(400, 'The link is missing its code or state; start again from CanvasCal.');
        // Only the browser that asked for the consent URL may finish here.
        if (options.requireSameBrowser && !stateBoundToBrowser(request, 'canvas', state))
          return failed(400, notThisBrowserMessage('canvas', code, state));
        clearStateBinding(reply, 'canvas');
        try {
          await canvas.completeAuthorization({ code, state });
        } catch (caught) {
          if (caught instanceof AppError && caught.status < 500) return failed(caught.status, caught.message);
          throw caught;
        }
        return reply
          .status(200)
          .send(
            htmlPage(
              'Canvas is connected',
              `CanvasCal can now read your deadlines from Canvas. You can close this tab, or open ${options.dashboardUrl}.`,
              options.returnTo ? { returnTo: options.returnTo } : {},
            ),
          );
      },
    );
  };
}
