import { Redis } from 'ioredis';
import type { DestinationStream, Logger } from 'pino';
import { type CanvasEmulator, startCanvasEmulator } from '../emulators/canvas/canvas-emulator.ts';
import { DEMO_CANVAS_DEVELOPER_KEY } from '../emulators/canvas/canvas-oauth-endpoints.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../emulators/google/google-emulator.ts';
import { CanvasAccount } from './accounts/canvas-account.ts';
import { createCanvasHostPolicy } from './accounts/canvas-host-policy.ts';
import { createCanvasProbe } from './accounts/canvas-probe.ts';
import { createSyncReadiness } from './accounts/sync-readiness.ts';
import { createCanvasOAuth } from './canvas/canvas-oauth.ts';
import type { Config } from './config.ts';
import { keyRingFromString } from './crypto/key-ring.ts';
import { loadOrCreateLocalKeyRing } from './crypto/local-key-file.ts';
import { TokenCipher } from './crypto/token-cipher.ts';
import { createCalendarCacheRepo } from './db/calendar-cache-repo.ts';
import { createCanvasConnectionsRepo } from './db/canvas-connections-repo.ts';
import { type Database, openDatabase } from './db/client.ts';
import { createDeadlinesRepo } from './db/deadlines-repo.ts';
import { createEventMappingsRepo } from './db/event-mappings-repo.ts';
import { createGoogleConnectionsRepo } from './db/google-connections-repo.ts';
import { migrate } from './db/migrate.ts';
import { createOAuthStatesRepo } from './db/oauth-states-repo.ts';
import { createSyncRunsRepo } from './db/sync-runs-repo.ts';
import { createUserLock } from './db/user-lock.ts';
import { createUsersRepo } from './db/users-repo.ts';
import { AppError } from './errors.ts';
import { type GoogleSetup, setupGoogle } from './google/google-setup.ts';
import { createPlannerBusy } from './google/planner-busy.ts';
import { createUserBusy } from './google/user-busy.ts';
import {
  createJwtVerifier,
  createLocalAuth,
  loadOrCreateLocalAuthSecret,
  type TokenVerifier,
} from './http/auth.ts';
import type { HttpApp } from './http/http-app.ts';
import { calendarRoutes } from './http/routes/calendars.ts';
import { canvasAuthRoutes, canvasCallbackRoutes } from './http/routes/canvas-auth.ts';
import { canvasConnectionRoutes } from './http/routes/canvas-connection.ts';
import { deadlineRoutes } from './http/routes/deadlines.ts';
import { googleAuthRoutes, googleCallbackRoutes } from './http/routes/google-auth.ts';
import { localLoginRoutes } from './http/routes/local-login.ts';
import { meRoutes } from './http/routes/me.ts';
import { plannerRoutes } from './http/routes/planner.ts';
import { syncRoutes } from './http/routes/sync.ts';
import { webRoutes } from './http/routes/web.ts';
import { buildHttpServer } from './http/server.ts';
import { CALENDAR_FOLLOW_JOB, CANVAS_SYNC_JOB, userJobEnqueuer } from './jobs/canvas-sync-jobs.ts';
import { registerJobs } from './jobs/register-jobs.ts';
import { recoverAfterRestart } from './jobs/restart-recovery.ts';
import { ShutdownStack } from './lifecycle.ts';
import { createLogger } from './logging.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createBullmqQueue } from './queue/bullmq-queue.ts';
import { createInProcessQueue } from './queue/in-process-queue.ts';
import type { Queue } from './queue/queue.ts';

/** Which parts run in this process: `serve` is both, `serve --no-workers` is api, `worker` is worker. */
export type ProcessRole = 'all' | 'api' | 'worker';

export interface AppOptions {
  config: Config;
  role?: ProcessRole;
  logger?: Logger;
  logDestination?: DestinationStream;
  /**
   * Backoff bases: between retry rounds of failed Google writes (default 1 s, doubling),
   * between tries of one Canvas request (default 1 s, doubling) and between attempts of a
   * failed job (default 30 s). Tests shrink them instead of sleeping.
   */
  retryBaseMs?: { google?: number; canvas?: number; job?: number };
}

/** Everything one CanvasCal process runs, built from Config and closed in reverse order. */
export interface CanvasCalApp {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly db: Database;
  readonly cipher: TokenCipher;
  readonly queue: Queue;
  /** Undefined when neither a Google client nor the emulator is configured. */
  readonly google: GoogleSetup | undefined;
  /** The built-in emulators, in the embedded default. */
  readonly emulators: { google: GoogleEmulator; canvas: CanvasEmulator } | undefined;
  /** Undefined in a worker-only process. */
  readonly http: HttpApp | undefined;
  /** Starts listening (api roles); resolves to the base URL. */
  listen(): Promise<string | undefined>;
  close(): Promise<void>;
}

export async function createApp(options: AppOptions): Promise<CanvasCalApp> {
  const { config } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger(config.log, options.logDestination);
  const stack = new ShutdownStack(logger);
  try {
    const metrics = createMetrics();
    const cipher = await buildCipher(config, logger);

    const db = await openDatabase(config.database);
    stack.push('database', () => db.close());
    const { applied } = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'applied database migrations');

    const queue: Queue =
      config.queue.kind === 'bullmq'
        ? createBullmqQueue({ redisUrl: config.queue.redisUrl, prefix: 'canvascal' })
        : createInProcessQueue();
    // Closed after HTTP (pushed before it): no new jobs arrive while running ones drain.
    stack.push('queue', () => queue.close(config.shutdownTimeoutMs));
    queue.onEvent((event) => metrics.jobs.inc({ name: event.name, outcome: event.outcome }));

    let googleEmulator: GoogleEmulator | undefined;
    let canvasEmulator: CanvasEmulator | undefined;
    if (config.emulators) {
      const google = await startGoogleEmulator({ port: 0 });
      stack.push('google emulator', () => google.close());
      const canvas = await startCanvasEmulator({ port: 0 });
      stack.push('canvas emulator', () => canvas.close());
      googleEmulator = google;
      canvasEmulator = canvas;
      logger.info(
        { google: google.url, canvas: canvas.url, canvasDemoToken: '[Redacted]' },
        'Google and Canvas emulators started (no GOOGLE_CLIENT_ID configured)',
      );
    }

    const users = createUsersRepo(db.orm);
    // One lock for every refresh: on PGlite it is an in-process queue, so two would not see each other.
    const withUserLock = createUserLock(db);
    const google = setupGoogle({
      config,
      emulatorUrl: googleEmulator?.url,
      emulatorClient: DEMO_GOOGLE_CLIENT,
      connections: createGoogleConnectionsRepo(db.orm),
      states: createOAuthStatesRepo(db.orm),
      sealer: cipher,
      stateKeys: cipher.deriveKeys('oauth-state'),
      withUserLock,
      metrics,
    });
    // The school's developer keys; the embedded Canvas emulator brings its own demo key.
    const developerKeys = [
      ...config.canvasDeveloperKeys,
      ...(canvasEmulator ? [{ baseUrl: canvasEmulator.url, ...DEMO_CANVAS_DEVELOPER_KEY }] : []),
    ];
    const canvasAccount = new CanvasAccount({
      connections: createCanvasConnectionsRepo(db.orm),
      sealer: cipher,
      probe: createCanvasProbe(),
      allowHttp: config.env !== 'production',
      ...(config.env === 'production'
        ? { hostPolicy: createCanvasHostPolicy({ trusted: developerKeys.map((k) => k.baseUrl) }) }
        : {}),
      ...(developerKeys.length > 0
        ? {
            oauth: {
              client: createCanvasOAuth({ keys: developerKeys }),
              states: createOAuthStatesRepo(db.orm),
              stateKeys: cipher.deriveKeys('oauth-state'),
              redirectUri: `${config.http.publicUrl}/api/v1/auth/canvas/callback`,
              withUserLock,
            },
          }
        : {}),
    });
    const runs = createSyncRunsRepo(db.orm);
    await recoverAfterRestart({
      runs,
      googleConnections: createGoogleConnectionsRepo(db.orm),
      canvasConnections: createCanvasConnectionsRepo(db.orm),
      logger,
      emulators: googleEmulator !== undefined && canvasEmulator !== undefined,
      inProcessQueue: config.queue.kind === 'in-process' && role !== 'api',
    });
    const googleConnections = createGoogleConnectionsRepo(db.orm);
    const canvasConnections = createCanvasConnectionsRepo(db.orm);
    const enqueueFor = userJobEnqueuer(queue, options.retryBaseMs?.job ?? 30_000);
    const enqueueCanvasSync = enqueueFor(CANVAS_SYNC_JOB);
    const enqueueCalendarFollow = enqueueFor(CALENDAR_FOLLOW_JOB);
    const mappings = createEventMappingsRepo(db.orm);
    const deadlines = createDeadlinesRepo(db.orm);
    const calendarCache = createCalendarCacheRepo(db.orm);
    const connectedCalendar = async (userId: string) => {
      const status = google ? await google.connection.status(userId) : undefined;
      if (!google || status?.status !== 'connected') {
        throw new AppError(
          'google_not_connected',
          status?.message ?? 'Connect your Google account first.',
          409,
        );
      }
      return google.calendarFor(userId);
    };
    const userBusy = createUserBusy({
      users,
      calendarFor: connectedCalendar,
      appCalendarId: async (userId) => (await googleConnections.get(userId))?.appCalendarId ?? null,
    });
    const busy = createPlannerBusy({ googleConnections, userBusy, calendarCache });

    let http: HttpApp | undefined;
    if (role !== 'worker') {
      const { verifier, localIssuer } = await buildAuth(config);
      if (localIssuer && config.http.trustProxy)
        logger.warn(
          'TRUST_PROXY is on and no AUTH_JWT_SECRET/AUTH_JWKS_URL is set: local sign-in is off behind a proxy, so nobody can sign in. Configure Supabase auth.',
        );
      // With Redis, every API process shares one set of rate-limit counters; a Redis outage
      // lets requests through (skipOnError) rather than failing them.
      const rateLimitRedis =
        config.queue.kind === 'bullmq'
          ? new Redis(config.queue.redisUrl, {
              enableOfflineQueue: false,
              maxRetriesPerRequest: 1,
              lazyConnect: false,
            })
          : undefined;
      if (rateLimitRedis) {
        rateLimitRedis.on('error', () => {});
        stack.push('rate-limit redis', async () => {
          rateLimitRedis.disconnect();
        });
      }
      http = await buildHttpServer({
        rateLimitRedis,
        config,
        logger,
        metrics,
        readiness: [
          { name: 'database', check: () => db.ping() },
          { name: 'queue', check: () => queue.ping() },
        ],
        auth: verifier,
        users,
        apiRoutes: [
          meRoutes(users),
          deadlineRoutes(deadlines),
          plannerRoutes({ users, deadlines, busy }),
          canvasAuthRoutes(canvasAccount, { secureCookies: config.http.publicUrl.startsWith('https:') }),
          canvasConnectionRoutes(canvasAccount, {
            personalTokens: config.canvasPersonalTokens,
            demo: canvasEmulator?.control.demo
              ? { baseUrl: canvasEmulator.url, token: canvasEmulator.control.demo.token }
              : undefined,
          }),
          ...(google
            ? [
                googleAuthRoutes(google.connection, {
                  secureCookies: config.http.publicUrl.startsWith('https:'),
                }),
                calendarRoutes({ users, busy: userBusy, calendarFor: connectedCalendar }),
              ]
            : []),
          syncRoutes({
            runs,
            deadlines,
            enqueueCanvasSync,
            enqueueCalendarFollow,
            checkReady: createSyncReadiness({ google: google?.connection, canvas: canvasAccount }),
            userEdits: async (userId) =>
              (await mappings.list(userId)).flatMap((m) =>
                m.userEdit ? [{ sourceKey: m.sourceKey, edit: m.userEdit }] : [],
              ),
            status: async (userId) => {
              const [google, canvas, settings] = await Promise.all([
                googleConnections.get(userId),
                canvasConnections.get(userId),
                users.getCalendarSettings(userId),
              ]);
              return {
                google: {
                  status: google?.status ?? 'not_connected',
                  ...(google?.lastError ? { message: google.lastError } : {}),
                },
                canvas: canvas
                  ? {
                      status: canvas.status,
                      baseUrl: canvas.baseUrl,
                      tokenExpiresAt: canvas.tokenExpiresAt?.toISOString() ?? null,
                      ...(canvas.lastError ? { message: canvas.lastError } : {}),
                    }
                  : { status: 'not_connected' },
                syncErrorCount: settings.sync_error_count,
              };
            },
          }),
        ],
        publicRoutes: [
          // The student's web page at `/`; it calls the API above from the same origin.
          webRoutes(),
          // Behind a proxy every visitor could look local: local sign-in is off there.
          ...(localIssuer && !config.http.trustProxy ? [localLoginRoutes(localIssuer)] : []),
          canvasCallbackRoutes(canvasAccount, {
            dashboardUrl: `${config.http.publicUrl}/`,
            requireSameBrowser: !localIssuer,
          }),
          ...(google
            ? [
                googleCallbackRoutes(google.connection, {
                  dashboardUrl: `${config.http.publicUrl}/`,
                  requireSameBrowser: !localIssuer,
                  returnTo: '/?connected=google',
                }),
              ]
            : []),
        ],
      });
      const server = http;
      stack.push('http', () => server.close());
    }

    if (role !== 'api')
      await registerJobs({
        queue,
        config,
        logger,
        google,
        runs,
        users,
        mappings,
        deadlines,
        calendarCache,
        googleConnections,
        canvasConnections,
        canvasAccount,
        enqueueCanvasSync,
        enqueueCalendarFollow,
        googleRetryBaseMs: options.retryBaseMs?.google ?? 1000,
        ...(options.retryBaseMs?.canvas !== undefined
          ? { canvasRetryBaseMs: options.retryBaseMs.canvas }
          : {}),
      });

    return {
      config,
      logger,
      metrics,
      db,
      cipher,
      queue,
      google,
      emulators:
        googleEmulator && canvasEmulator ? { google: googleEmulator, canvas: canvasEmulator } : undefined,
      http,
      async listen() {
        if (!http) return undefined;
        const address = await http.listen({ host: config.http.host, port: config.http.port });
        return address;
      },
      close: () => stack.close(),
    };
  } catch (error) {
    await stack.close().catch(() => {});
    throw error;
  }
}

/** The key ring from the environment, or (embedded default only) a key file in the data dir. */
export async function buildCipher(config: Config, logger: Logger): Promise<TokenCipher> {
  if (config.encryptionKeys) return new TokenCipher(keyRingFromString(config.encryptionKeys));
  const local = await loadOrCreateLocalKeyRing(config.dataDir);
  if (local.created) {
    logger.warn(
      { path: local.path },
      'CANVASCAL_ENCRYPTION_KEYS is not set: generated a local encryption key. Back it up; set CANVASCAL_ENCRYPTION_KEYS in production.',
    );
  }
  return new TokenCipher(keyRingFromString(local.ring));
}

async function buildAuth(
  config: Config,
): Promise<{ verifier: TokenVerifier; localIssuer?: ReturnType<typeof createLocalAuth> }> {
  if (config.auth.kind === 'jwt') {
    return {
      verifier: createJwtVerifier({
        secret: config.auth.secret,
        jwksUrl: config.auth.jwksUrl,
        issuer: config.auth.issuer,
        audience: config.auth.audience,
      }),
    };
  }
  const local = createLocalAuth(await loadOrCreateLocalAuthSecret(config.dataDir));
  return { verifier: local, localIssuer: local };
}
