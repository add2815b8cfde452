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
import { createDataDeletion } from './accounts/data-deletion.ts';
import { createGoogleReadiness, createSyncReadiness } from './accounts/sync-readiness.ts';
import { type AgentDeps, agentHttp, createDbProposalStore, createMcpSessionStore } from './agent/index.ts';
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
import { createWatchChannelsRepo } from './db/watch-channels-repo.ts';
import { AppError } from './errors.ts';
import { requestBudgetFor } from './google/budget-setup.ts';
import { type GoogleSetup, setupGoogle } from './google/google-setup.ts';
import { googleStatusOf } from './google/google-status.ts';
import { createPlannerBusy } from './google/planner-busy.ts';
import { REFUSAL_PAUSE_MS } from './google/request-budget.ts';
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
import { googleWebhookRoutes } from './http/routes/google-webhooks.ts';
import { localLoginRoutes } from './http/routes/local-login.ts';
import { meRoutes } from './http/routes/me.ts';
import { plannerRoutes } from './http/routes/planner.ts';
import { syncRoutes } from './http/routes/sync.ts';
import { webRoutes } from './http/routes/web.ts';
import { buildHttpServer } from './http/server.ts';
import { CALENDAR_FOLLOW_JOB, CANVAS_SYNC_JOB, userJobEnqueuer } from './jobs/canvas-sync-jobs.ts';
import { registerJobs } from './jobs/register-jobs.ts';
import { recoverAfterRestart } from './jobs/restart-recovery.ts';
import { startWorkerHealthServer } from './jobs/worker-health-server.ts';
import { ShutdownStack } from './lifecycle.ts';
import { cachedChannelLookup } from './live/channel-cache.ts';
import { type ChannelKeeper, createChannelKeeper } from './live/channel-keeper.ts';
import { type LiveEnqueuer, liveEnqueuer, registerLiveJobs } from './live/live-jobs.ts';
import { createLogger } from './logging.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createGuardedFetch } from './net/guarded-fetch.ts';
import { createInProcessQueue } from './queue/in-process-queue.ts';
import { type Queue, QueueUnavailableError } from './queue/queue.ts';
import { assembleStudyPlan } from './study-plan/assembly.ts';
import { createPlannerPool } from './study-plan/planner-pool.ts';
import type { PlanSolver } from './study-plan/solve-plan.ts';
import { createSyncRunsService, type SyncRunsServiceDeps } from './sync/sync-runs-service.ts';

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
  /** The push debounce window (default 30 s); end-to-end tests shrink it instead of sleeping. */
  pushDebounceMs?: number;
  /** Replaces the planner's worker threads (the benchmark's in-thread baseline). */
  plannerSolver?: PlanSolver;
  /** Redis key prefix of the BullMQ queue (default `canvascal`); benchmarks use their own. */
  queuePrefix?: string;
  /**
   * Emulators already running, to use instead of starting this process's own (with
   * CANVASCAL_EMULATORS): tests run a `serve` and a `worker` app against one Google. Not closed here.
   */
  sharedEmulators?: { google: GoogleEmulator; canvas: CanvasEmulator };
  /** How often workers look for queued runs whose job the queue lost (default 60 s). */
  lostJobCheckMs?: number;
  /** How old a queued or running run must be before that check touches it (default 30 s). */
  lostJobGraceMs?: number;
  /** How long a killed worker's job stays locked before another worker takes it (default 30 s). */
  queueLockMs?: number;
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
  /** Live updates (push channels); undefined without Google. */
  readonly live: { keeper: ChannelKeeper; enqueue: LiveEnqueuer; webhookAddress(): string } | undefined;
  /** What the LLM tools call (served at /mcp and by `canvascal mcp`). */
  readonly agent: AgentDeps;
  /** The worker's /healthz, /readyz and /metrics, when WORKER_PORT is set. */
  readonly workerHealthUrl: string | undefined;
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

    const db = await openDatabase(config.database, {
      // A worker cut off from its database says so; the pool replaces the connection itself.
      onConnectionError: (error) =>
        logger.warn({ cause: error.message }, 'lost a database connection; the next query opens a new one'),
    });
    stack.push('database', () => db.close());
    const { applied } = await migrate(db);
    if (applied.length > 0) logger.info({ applied }, 'applied database migrations');

    const queue: Queue =
      config.queue.kind === 'bullmq'
        ? // Loaded only on Redis: the embedded default keeps BullMQ's memory.
          (await import('./queue/bullmq-queue.ts')).createBullmqQueue({
            redisUrl: config.queue.redisUrl,
            prefix: options.queuePrefix ?? 'canvascal',
            ...(options.queueLockMs !== undefined ? { lockMs: options.queueLockMs } : {}),
          })
        : createInProcessQueue();
    // Closed after HTTP (pushed before it): no new jobs arrive while running ones drain.
    stack.push('queue', () => queue.close(config.shutdownTimeoutMs));
    queue.onEvent((event) => metrics.jobs.inc({ name: event.name, outcome: event.outcome }));

    let googleEmulator: GoogleEmulator | undefined;
    let canvasEmulator: CanvasEmulator | undefined;
    if (config.emulators && options.sharedEmulators) {
      googleEmulator = options.sharedEmulators.google;
      canvasEmulator = options.sharedEmulators.canvas;
    } else if (config.emulators) {
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
    // Live updates: built after Google (they use its clients), reached by its hooks through this.
    let live: { keeper: ChannelKeeper; enqueue: LiveEnqueuer; webhookAddress(): string } | undefined;
    // One lock for every refresh: on PGlite it is an in-process queue, so two would not see each other.
    const withUserLock = createUserLock(db);
    const budget = requestBudgetFor(config, options.queuePrefix ?? 'canvascal');
    stack.push('google request budget', () => budget.close());
    const google = setupGoogle({
      config,
      budget,
      // Tests that shrink Google's retry pauses shrink the pause after a refusal alike.
      ...(options.retryBaseMs?.google !== undefined
        ? { refusalPauseMs: (REFUSAL_PAUSE_MS * options.retryBaseMs.google) / 1000 }
        : {}),
      emulatorUrl: googleEmulator?.url,
      emulatorClient: DEMO_GOOGLE_CLIENT,
      connections: createGoogleConnectionsRepo(db.orm),
      states: createOAuthStatesRepo(db.orm),
      sealer: cipher,
      stateKeys: cipher.deriveKeys('oauth-state'),
      withUserLock,
      metrics,
      lifecycle: {
        afterConnect: async (userId) => {
          try {
            await live?.enqueue.ensureChannels(userId, { replace: true });
          } catch (error) {
            // The connection stands; the renewal at the next start or tick opens the channels.
            if (!(error instanceof QueueUnavailableError)) throw error;
            logger.warn({ userId }, 'queue unreachable: push channels will be opened by the next renewal');
          }
        },
        beforeDisconnect: async (userId) => {
          const outcome = await live?.keeper.stopAll(userId);
          if (outcome?.failed) logger.warn({ userId, ...outcome }, 'some push channels could not be stopped');
        },
      },
      logger,
    });
    // The school's developer keys; the embedded Canvas emulator brings its own demo key.
    const developerKeys = [
      ...config.canvasDeveloperKeys,
      ...(canvasEmulator ? [{ baseUrl: canvasEmulator.url, ...DEMO_CANVAS_DEVELOPER_KEY }] : []),
    ];
    // In production every Canvas request goes through a fetch that refuses, on the connection
    // itself, any address that is not public, except the origins the admin configured.
    const canvasFetch =
      config.env === 'production'
        ? createGuardedFetch({ trusted: developerKeys.map((k) => k.baseUrl) })
        : undefined;
    const canvasAccount = new CanvasAccount({
      connections: createCanvasConnectionsRepo(db.orm),
      sealer: cipher,
      probe: createCanvasProbe(canvasFetch ? { fetch: canvasFetch } : {}),
      logger,
      allowHttp: config.env !== 'production',
      ...(config.env === 'production'
        ? { hostPolicy: createCanvasHostPolicy({ trusted: developerKeys.map((k) => k.baseUrl) }) }
        : {}),
      ...(developerKeys.length > 0
        ? {
            oauth: {
              client: createCanvasOAuth({
                keys: developerKeys,
                ...(canvasFetch ? { fetch: canvasFetch } : {}),
              }),
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
    // The one answer to "is Google connected?" for every route (issue 13: /me once said yes
    // to a connection every other route called "reconnect needed").
    const googleStatusFor = async (userId: string) =>
      google ? google.connection.status(userId) : googleStatusOf(undefined);
    const connectedCalendar = async (userId: string) => {
      const status = await googleStatusFor(userId);
      if (!google || status.status !== 'connected') {
        throw new AppError(
          'google_not_connected',
          status.message ?? 'Connect your Google account first.',
          409,
        );
      }
      return google.calendarFor(userId);
    };
    const studyPlan = assembleStudyPlan({
      orm: db.orm,
      queue,
      logger,
      users,
      deadlines,
      googleConnections,
      calendarCache,
      // The pool is made below; a repair runs long after.
      solve: (job) => solve(job),
      retryBaseMs: options.retryBaseMs?.google ?? 1000,
      batchesInFlight: config.googleBatchesInFlight,
      withUserLock,
    });
    const userBusy = createUserBusy({
      users,
      calendarFor: connectedCalendar,
      appCalendarId: async (userId) => (await googleConnections.get(userId))?.appCalendarId ?? null,
      ownCalendarIds: studyPlan.ownCalendarIds,
    });
    const busy = createPlannerBusy({ googleConnections, userBusy, calendarCache });
    // Plans run on worker threads: a heavy one never holds up other requests or /healthz.
    const planner = createPlannerPool({ size: config.plannerWorkers });
    stack.push('planner pool', () => planner.close());
    const solve = options.plannerSolver ?? planner.run;

    const watchChannels = createWatchChannelsRepo(db.orm);
    metrics.channelCensus = () => watchChannels.census(new Date());
    const channelKeys = cipher.deriveKeys('watch-channel-token');
    // With PORT=0 (tests) the address is known only once listening.
    let listeningAt: string | undefined;
    const webhookAddress = () =>
      `${config.http.port === 0 && listeningAt ? listeningAt : config.http.publicUrl}/webhooks/google`;
    if (google) {
      const enqueue = liveEnqueuer(queue, {
        backoffMs: options.retryBaseMs?.job ?? 30_000,
        debounceMs: options.pushDebounceMs ?? config.pushDebounceMs,
      });
      const keeper = createChannelKeeper({
        channels: watchChannels,
        connections: googleConnections,
        channelsFor: (userId) => google.channelsFor(userId),
        extraCalendars: studyPlan.ownCalendarIds,
        keys: channelKeys,
        address: webhookAddress,
      });
      live = { keeper, enqueue, webhookAddress };
    }
    const syncRunsDeps: SyncRunsServiceDeps = {
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
        const [googleStatus, canvas, settings] = await Promise.all([
          googleStatusFor(userId),
          canvasConnections.get(userId),
          users.getCalendarSettings(userId),
        ]);
        return {
          google: {
            status: googleStatus.status,
            ...(googleStatus.message ? { message: googleStatus.message } : {}),
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
    };
    const agent: AgentDeps = {
      users,
      deadlines,
      userBusy,
      plannerBusy: busy,
      planner: solve,
      sync: createSyncRunsService(syncRunsDeps),
      proposals: createDbProposalStore(db.orm),
      studyPlan: studyPlan.plans,
      now: () => new Date(),
      ...(google ? { applyPlan: (u, s) => studyPlan.writePlanNow(google, busy, u, s) } : {}),
    };

    let http: HttpApp | undefined;
    if (role !== 'worker') {
      const { verifier, localIssuer } = await buildAuth(config);
      if (localIssuer && config.http.trustedProxies.length > 0)
        logger.warn(
          'TRUST_PROXY lists proxies and no AUTH_JWT_SECRET/AUTH_JWKS_URL is set: local sign-in is off behind a proxy, so nobody can sign in. Configure Supabase auth.',
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
      const mcp = agentHttp({
        deps: agent,
        publicUrl: config.http.publicUrl,
        logger,
        authorizationServers: config.auth.kind === 'jwt' && config.auth.issuer ? [config.auth.issuer] : [],
        sessions: createMcpSessionStore(db.orm),
      });
      const ensuredUsers = new Set<string>();
      http = await buildHttpServer({
        ensuredUsers,
        rateLimitRedis,
        challengedRoutes: mcp.challengedRoutes,
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
          meRoutes({
            users,
            googleStatus: googleStatusFor,
            deleteData: createDataDeletion({
              users,
              logger,
              canvas: canvasAccount,
              ...(google
                ? {
                    google: {
                      connection: google.connection,
                      calendarFor: (userId: string) => google.calendarFor(userId),
                      stopChannels: async (userId: string) =>
                        (await live?.keeper.stopAll(userId)) ?? { stopped: 0, failed: 0 },
                      storedConnection: async (userId: string) => {
                        const stored = await googleConnections.get(userId);
                        return {
                          appCalendarId: stored?.appCalendarId ?? null,
                          grantStored: Boolean(stored?.encryptedRefreshToken),
                        };
                      },
                      studyCalendarIds: studyPlan.ownCalendarIds,
                    },
                  }
                : {}),
            }),
            forgetUser: (userId) => ensuredUsers.delete(userId),
          }),
          deadlineRoutes(deadlines),
          plannerRoutes({
            users,
            deadlines,
            busy,
            solve,
            onSettingsChanged: (u) => studyPlan.repairLater(u, 'settings'),
          }),
          studyPlan.routes(createGoogleReadiness(google?.connection)),
          canvasAuthRoutes(canvasAccount, {
            secureCookies: config.http.publicUrl.startsWith('https:'),
            schools: developerKeys.map((k) => k.baseUrl),
          }),
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
                calendarRoutes({
                  users,
                  busy: userBusy,
                  calendarFor: connectedCalendar,
                  onCalendarsChanged: (u) => studyPlan.repairLater(u, 'settings'),
                }),
              ]
            : []),
          syncRoutes(syncRunsDeps),
        ],
        publicRoutes: [
          ...mcp.publicRoutes,
          // The student's web page at `/`; it calls the API above from the same origin.
          webRoutes({ supabase: config.supabase }),
          // Behind a proxy every visitor could look local: local sign-in is off there.
          ...(localIssuer && config.http.trustedProxies.length === 0 ? [localLoginRoutes(localIssuer)] : []),
          ...(live
            ? [
                googleWebhookRoutes({
                  channels: cachedChannelLookup(watchChannels),
                  keys: channelKeys,
                  followLater: live.enqueue.followLater,
                  stopLater: live.enqueue.stopLater,
                  metrics,
                }),
              ]
            : []),
          canvasCallbackRoutes(canvasAccount, {
            dashboardUrl: `${config.http.publicUrl}/`,
            requireSameBrowser: !localIssuer,
            returnTo: '/?connected=canvas',
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

    if (role !== 'api' && live && google) {
      const googleSetup = google;
      await registerLiveJobs({
        queue,
        logger,
        metrics,
        keeper: live.keeper,
        enqueue: live.enqueue,
        channels: watchChannels,
        connections: googleConnections,
        runs,
        follow: {
          connections: googleConnections,
          calendarFor: (id) => googleSetup.calendarFor(id),
          cache: calendarCache,
          mappings,
          deadlines,
        },
        concurrency: config.workerConcurrency,
        afterFollow: studyPlan.afterFollow,
      });
    }
    const liveJobs = live;
    if (role !== 'api' && google)
      await studyPlan.registerWorkers(google, busy, {
        onStudyCalendarCreated: async (userId) => liveJobs?.enqueue.ensureChannels(userId),
      });
    let workerHealth: { url: string; close(): Promise<void> } | undefined;
    if (role !== 'api') {
      const stopLostJobCheck = await registerJobs({
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
        afterCanvasSync: async (userId, summary) => {
          await liveJobs?.enqueue.ensureChannels(userId);
          await studyPlan.afterCanvasSync(userId, summary);
        },
        afterCalendarFollow: studyPlan.afterFollow,
        googleRetryBaseMs: options.retryBaseMs?.google ?? 1000,
        ...(canvasFetch ? { canvasFetch } : {}),
        ...(options.retryBaseMs?.canvas !== undefined
          ? { canvasRetryBaseMs: options.retryBaseMs.canvas }
          : {}),
        sharedQueue: config.queue.kind === 'bullmq',
        metrics,
        ...(options.lostJobCheckMs !== undefined ? { lostJobCheckMs: options.lostJobCheckMs } : {}),
        jobBackoffMs: options.retryBaseMs?.job ?? 30_000,
        ...(options.lostJobGraceMs !== undefined ? { lostJobGraceMs: options.lostJobGraceMs } : {}),
      });
      stack.push('lost-job check', stopLostJobCheck);
      if (config.workerPort !== undefined) {
        // A worker's own probes and metrics: nothing else of the API listens in a worker.
        workerHealth = await startWorkerHealthServer({
          host: config.http.host,
          port: config.workerPort,
          checks: [
            { name: 'database', check: () => db.ping() },
            { name: 'queue', check: () => queue.ping() },
          ],
          metrics,
        });
        const server = workerHealth;
        stack.push('worker health server', () => server.close());
        logger.info({ url: workerHealth.url }, 'worker health and metrics listening');
      }
    }

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
      live,
      agent,
      workerHealthUrl: workerHealth?.url,
      async listen() {
        if (!http) return undefined;
        const address = await http.listen({ host: config.http.host, port: config.http.port });
        listeningAt = address;
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
        maxLifetimeSeconds: config.auth.maxLifetimeSeconds,
      }),
    };
  }
  const local = createLocalAuth(await loadOrCreateLocalAuthSecret(config.dataDir), {
    ttlSeconds: config.auth.maxLifetimeSeconds,
  });
  return { verifier: local, localIssuer: local };
}
