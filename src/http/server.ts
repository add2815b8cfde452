import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyRequest } from 'fastify';
import {
  type FastifyPluginAsyncZod,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import type { UsersRepo } from '../db/users-repo.ts';
import { AppError, unauthorized } from '../errors.ts';
import type { Metrics } from '../metrics.ts';
import type { AuthUser, TokenVerifier } from './auth.ts';
import { answerFrameworkError, installErrorHandler } from './error-handler.ts';
import type { HttpApp } from './http-app.ts';
import { healthRoutes, type ReadinessCheck } from './routes/health.ts';

declare module 'fastify' {
  interface FastifyRequest {
    user: AuthUser | null;
  }
}

/** The authenticated caller; only call it inside the `/api/v1` scope, where auth has run. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.user) throw unauthorized('Sign in first: send Authorization: Bearer <token>.');
  return request.user;
}

export interface HttpDeps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  auth: TokenVerifier;
  users: UsersRepo;
  /** Routes that need a signed-in user, mounted under `/api/v1`. */
  apiRoutes: FastifyPluginAsyncZod[];
  /** Routes without user auth (sign-in, OAuth callbacks, webhooks), mounted at the root. */
  publicRoutes: FastifyPluginAsyncZod[];
  /** Shared rate-limit counters across API processes when Redis is configured. */
  rateLimitRedis?: Redis | undefined;
  /**
   * Routes at the root that authenticate (and are rate limited) like `/api/v1`, whose 401
   * carries a `WWW-Authenticate` challenge: the MCP endpoint.
   */
  challengedRoutes?: { routes: FastifyPluginAsyncZod[]; challenge: (error: AppError) => string } | undefined;
  /**
   * Users whose row this process has made sure of (one write per user, not per request);
   * shared with the route that deletes a user's data, which takes the user out again.
   */
  ensuredUsers?: Set<string>;
}

export async function buildHttpServer(deps: HttpDeps): Promise<HttpApp> {
  const ensuredUsers = deps.ensuredUsers ?? new Set<string>();
  const app: HttpApp = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Proxy headers are believed from these peers only (see proxy-trust.ts): request.ip (the
    // rate-limit key), request.protocol (cookies' Secure flag) and request.host follow from it.
    trustProxy: deps.config.http.trustedProxies.length > 0 ? [...deps.config.http.trustedProxies] : false,
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    frameworkErrors: answerFrameworkError,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('user', null);
  installErrorHandler(app);
  installRequestMetrics(app, deps.metrics);

  await app.register(helmet, {
    // The OpenAPI UI needs its own scripts and styles; everything else is JSON.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // The page signs in with Supabase Auth in the browser: its origin, and no other.
        connectSrc: ["'self'", ...(deps.config.supabase ? [new URL(deps.config.supabase.url).origin] : [])],
      },
    },
  });
  await app.register(rateLimit, {
    global: true,
    max: deps.config.rateLimitPerMinute,
    timeWindow: 60_000,
    hook: 'preHandler',
    redis: deps.rateLimitRedis,
    nameSpace: 'canvascal-ratelimit:',
    skipOnError: true,
    allowList: (request) => !/^\/(api|webhooks|mcp)(\/|$)/.test(request.url),
    keyGenerator: (request) => (request.user ? `user:${request.user.id}` : `ip:${request.ip}`),
    errorResponseBuilder: (_request, context) => ({
      statusCode: 429,
      code: 'rate_limited',
      error: 'Too Many Requests',
      message: `Too many requests: at most ${context.max} a minute; retry in ${Math.ceil(context.ttl / 1000)} s.`,
    }),
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'CanvasCal API',
        version: '1',
        description: 'Canvas deadlines on Google Calendar, and study time planned around everything else.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  await app.register(
    healthRoutes(deps.readiness, deps.metrics, {
      token: deps.config.metricsToken,
      production: deps.config.env === 'production',
    }),
  );
  for (const routes of deps.publicRoutes) await app.register(routes);

  await app.register(
    async (api) => {
      const ensured = ensuredUsers;
      // The limit runs before each handler, after authentication: a request whose token
      // is refused never got there, so guessing tokens would be free. Count a refusal
      // against the caller's address in the same budget (and Redis store) instead.
      const limitRefused = app.rateLimit();
      api.addHook('onRequest', async (request, reply) => {
        try {
          request.user = await authenticate(request, deps, ensured);
        } catch (error) {
          if (error instanceof AppError && error.status === 401) await limitRefused.call(api, request, reply);
          throw error;
        }
      });
      for (const routes of deps.apiRoutes) await api.register(routes);
    },
    { prefix: '/api/v1' },
  );
  const challenged = deps.challengedRoutes;
  if (challenged)
    await app.register(async (scope) => {
      const ensured = ensuredUsers;
      const limitRefused = app.rateLimit();
      scope.addHook('onRequest', async (request, reply) => {
        try {
          request.user = await authenticate(request, deps, ensured);
        } catch (error) {
          if (error instanceof AppError && error.status === 401) {
            reply.header('www-authenticate', challenged.challenge(error));
            await limitRefused.call(scope, request, reply);
          }
          throw error;
        }
      });
      for (const routes of challenged.routes) await scope.register(routes);
    });
  return app;
}

async function authenticate(
  request: FastifyRequest,
  deps: HttpDeps,
  ensured: Set<string>,
): Promise<AuthUser> {
  const header = request.headers.authorization;
  if (!header) throw unauthorized('Sign in first: send Authorization: Bearer <token>.', 'missing_token');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) throw unauthorized('The Authorization header must be "Bearer <token>".', 'invalid_token');
  const user = await deps.auth.verify(match[1]);
  // A Supabase user exists in auth.users before their first call here; create our row once.
  if (!ensured.has(user.id)) {
    await deps.users.ensure(user.id, user.email);
    if (ensured.size > 10_000) ensured.clear();
    ensured.add(user.id);
  }
  return user;
}

function installRequestMetrics(app: HttpApp, metrics: Metrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
}
