import type { Logger } from 'pino';
import type { StateKeys } from '../accounts/oauth-state.ts';
import type { Config } from '../config.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { OAuthStatesRepo } from '../db/oauth-states-repo.ts';
import type { WithUserLock } from '../db/user-lock.ts';
import type { Metrics } from '../metrics.ts';
import type { SecretSealer } from '../secrets.ts';
import type { CalendarApi, ChannelApi } from './calendar-api.ts';
import { createGoogleCalendarClient, GOOGLE_API_ROOT } from './google-calendar-client.ts';
import { GoogleConnection, type GoogleLifecycle } from './google-connection.ts';
import { createGoogleOAuth, endpointsAt, GOOGLE_OAUTH_ENDPOINTS } from './oauth-client.ts';
import type { RequestBudget } from './request-budget.ts';
import { budgetGate } from './request-gate.ts';

export interface GoogleSetup {
  connection: GoogleConnection;
  /** A new Calendar client for one user; it counts its own requests. */
  calendarFor(userId: string): CalendarApi;
  /** Push channels (events.watch, channels.stop) for one user. */
  channelsFor(userId: string): ChannelApi;
  /** Whether every client's requests are paced by a request budget (see request-budget.ts). */
  paced: boolean;
}

/**
 * Google, chosen once from the configuration: the real endpoints with the configured OAuth
 * client, or the built-in emulator (its demo client). Undefined when neither is available.
 */
export function setupGoogle(deps: {
  config: Config;
  emulatorUrl: string | undefined;
  emulatorClient: { clientId: string; clientSecret: string };
  connections: GoogleConnectionsRepo;
  states: OAuthStatesRepo;
  sealer: SecretSealer;
  stateKeys: StateKeys;
  withUserLock: WithUserLock;
  metrics: Metrics;
  lifecycle?: GoogleLifecycle;
  logger?: Pick<Logger, 'error'>;
  /** Paces every request of every user to Google's quotas; without it requests go out unpaced. */
  budget?: RequestBudget;
  /** The pause after Google refuses a call for its rate (default 61 s); tests shrink it. */
  refusalPauseMs?: number;
}): GoogleSetup | undefined {
  const { config } = deps;
  const real = config.google.kind === 'real' ? config.google : undefined;
  if (!real && !deps.emulatorUrl) return undefined;
  const client = real ? { clientId: real.clientId, clientSecret: real.clientSecret } : deps.emulatorClient;
  const oauth = createGoogleOAuth({
    ...client,
    endpoints: real
      ? real.apiUrl
        ? endpointsAt(real.apiUrl)
        : GOOGLE_OAUTH_ENDPOINTS
      : endpointsAt(deps.emulatorUrl ?? ''),
  });
  const connection = new GoogleConnection({
    oauth,
    connections: deps.connections,
    states: deps.states,
    sealer: deps.sealer,
    stateKeys: deps.stateKeys,
    redirectUri: real?.redirectUri ?? `${config.http.publicUrl}/api/v1/auth/google/callback`,
    withUserLock: deps.withUserLock,
    ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}),
    ...(deps.logger ? { logger: deps.logger } : {}),
  });
  const rootUrl = real ? (real.apiUrl ? `${real.apiUrl}/` : GOOGLE_API_ROOT) : `${deps.emulatorUrl}/`;
  const clientFor = (userId: string) =>
    createGoogleCalendarClient({
      rootUrl,
      timeoutMs: config.googleTimeoutMs,
      accessToken: () => connection.accessToken(userId),
      onUnauthorized: () => connection.invalidate(userId),
      ...(deps.budget
        ? {
            gate: budgetGate(deps.budget, userId, {
              now: Date.now,
              sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
              ...(deps.refusalPauseMs !== undefined ? { refusalPauseMs: deps.refusalPauseMs } : {}),
              onWait: (where) => deps.metrics.googleQuotaWaits.inc({ where }),
            }),
          }
        : {}),
      onRequest: (method, url) =>
        deps.metrics.googleCalls.inc({
          method,
          outcome: new URL(url).pathname.startsWith('/batch') ? 'batch' : 'call',
        }),
    });
  return { connection, calendarFor: clientFor, channelsFor: clientFor, paced: deps.budget !== undefined };
}
