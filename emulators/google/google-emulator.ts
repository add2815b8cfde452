import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchFormatError } from './batch-multipart.ts';
import { type ApiRequest, CalendarApiRouter } from './calendar-api-router.ts';
import { answerConditionally } from './conditional-requests.ts';
import { callControl } from './control-http.ts';
import { createGoogleControl } from './create-google-control.ts';
import { seedDemoStudent } from './demo-seed.ts';
import type { GoogleEmulatorControl } from './emulator-control.ts';
import { EventEndpoints } from './event-endpoints.ts';
import { EmulatedGoogleError, errors } from './google-errors.ts';
import { type AccessToken, GoogleState } from './google-state.ts';
import { type EmulatorResponse, OAuthEndpoints } from './oauth-endpoints.ts';
import { FAULTABLE_OAUTH, oauthFault } from './oauth-faults.ts';
import { PushChannels } from './push-channels.ts';
import { RandomFaults } from './random-faults.ts';
import { RateWindows } from './rate-windows.ts';
import { RequestCounts } from './request-counts.ts';
import { ScriptedFaults } from './scripted-faults.ts';

/** Thrown by a direct call's fault to make the server drop the connection. */
class ConnectionReset extends Error {}

/** The OAuth client the demo and tests use; any loopback redirect URI is accepted for it. */
export const DEMO_GOOGLE_CLIENT = {
  clientId: 'canvascal-demo.apps.googleusercontent.com',
  clientSecret: 'demo-secret',
} as const;

export interface GoogleEmulatorOptions {
  port?: number;
  host?: string;
  now?: () => number;
  /** Seed the demo student (default true). */
  seed?: boolean;
  /** Calls per user per minute (sliding) before 403 rateLimitExceeded (default 600, Google's standard). */
  rateLimitPerMinute?: number;
  /** Calls per minute (sliding) by every user together before 429 rateLimitExceeded (default 10,000, Google's standard). */
  projectRateLimitPerMinute?: number;
  /** How scripted latency waits (default a real timer); tests may record the delays instead. */
  sleep?: (ms: number) => Promise<void>;
}

const OAUTH_ROUTES: Record<string, string> = {
  'GET /o/oauth2/v2/auth': 'oauth.authorize',
  'POST /o/oauth2/v2/auth/decision': 'oauth.consent',
  'POST /token': 'oauth.token',
  'POST /revoke': 'oauth.revoke',
};

export interface GoogleEmulator {
  url: string;
  control: GoogleEmulatorControl;
  close(): Promise<void>;
}

export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  const now = options.now ?? Date.now;
  const state = new GoogleState();
  state.clients.set(DEMO_GOOGLE_CLIENT.clientId, { ...DEMO_GOOGLE_CLIENT });
  const oauth = new OAuthEndpoints(state, now);
  let baseUrl = '';
  const push = new PushChannels(state, now, () => baseUrl);
  const router = new CalendarApiRouter(state, now, push);
  const randomFaults = new RandomFaults();
  // The user acting in Google Calendar's own UI: the same event rules, no OAuth scopes.
  const userEvents = new EventEndpoints(state, now);
  const counts = new RequestCounts();
  const count = (method: string, outcome: number | 'reset') => counts.count(method, outcome);
  const scripted = new ScriptedFaults();
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const windows = new RateWindows(
    { perUser: options.rateLimitPerMinute ?? 600, perProject: options.projectRateLimitPerMinute ?? 10_000 },
    now,
  );

  const authenticate = (header: string | undefined): AccessToken => {
    const token = header?.startsWith('Bearer ') ? state.accessTokens.get(header.slice(7)) : undefined;
    if (!token || token.revoked || token.expiresAt <= now()) throw errors.authError();
    return token;
  };

  /** One Calendar call (direct or a batch part): auth, rate limit, faults, then the route; then push deliveries. */
  const dispatchApi = (request: ApiRequest, direct = false): EmulatorResponse => {
    const method = router.methodOf(request.method, request.path) ?? 'unknown';
    let response: EmulatorResponse;
    try {
      if (method === 'unknown') throw errors.notFound();
      const token = authenticate(request.headers.authorization);
      const quota = windows.record(token.email);
      if (quota === 'project') throw errors.tooManyRequests();
      if (quota === 'user') throw errors.rateLimitExceeded();
      // Resets of direct calls are handled before the body is routed; batch parts cannot reset alone.
      const kind = scripted.takeFault(method, false) ?? randomFaults.draw(method);
      if (kind === 'reset' && direct) {
        count(method, 'reset');
        throw new ConnectionReset();
      }
      if (kind === 500) throw errors.backendError();
      if (kind === 503 || kind === 'reset') throw errors.unavailable();
      if (kind === 429) throw errors.tooManyRequests();
      if (kind === 403) throw errors.rateLimitExceeded();
      if (kind === 'userRateLimit') throw errors.userRateLimitExceeded();
      response = answerConditionally(request.method, request.headers, router.handle(request, token, method));
    } catch (error) {
      if (!(error instanceof EmulatedGoogleError)) throw error;
      response = { status: error.status, body: error.body(), headers: error.headers() };
    }
    count(method, response.status);
    push.announceChanges();
    return response;
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      send(res, { status: 500, body: errors.backendError().body() });
      console.error('google emulator bug', error);
    });
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://emulator.local');
    const body = await readBody(req);
    if (url.pathname.startsWith('/_emulator/') && req.method === 'POST')
      return send(res, await callControl(control, url.pathname.slice(11), body));
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    const calendarCall = url.pathname.startsWith('/calendar/v3/');
    const label =
      OAUTH_ROUTES[route] ??
      (route === 'POST /batch/calendar/v3'
        ? 'batch'
        : calendarCall
          ? (router.methodOf(req.method ?? 'GET', url.pathname) ?? 'unknown')
          : 'unknown');
    const delay = scripted.takeLatency(label);
    if (delay > 0) await scripted.hold(label, delay, sleep);
    if (FAULTABLE_OAUTH.has(label)) {
      // Token and revoke calls fail like Calendar calls: scripted faults first, then random ones
      // (only when `methods` names them, so a drill over Calendar calls keeps its sequence).
      const kind = scripted.takeAnyFault(label) ?? randomFaults.draw(label, true);
      if (kind === 'reset') {
        count(label, 'reset');
        req.socket.destroy();
        return;
      }
      if (kind !== undefined) {
        const response = oauthFault(kind);
        count(label, response.status);
        return send(res, response);
      }
    }
    if (!calendarCall) {
      const response = answerOther(label, url, body, req);
      count(label, response.status);
      return send(res, response);
    }
    if (scripted.takeFault(label, true)) {
      count(label, 'reset');
      req.socket.destroy();
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
    );
    try {
      return send(
        res,
        dispatchApi(
          { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body },
          true,
        ),
      );
    } catch (error) {
      if (!(error instanceof ConnectionReset)) throw error;
      req.socket.destroy();
      return;
    }
  };

  /** OAuth, batch and unknown paths: everything but control calls and direct Calendar calls. */
  const answerOther = (label: string, url: URL, body: string, req: IncomingMessage): EmulatorResponse => {
    const form = () => new URLSearchParams(body);
    switch (label) {
      case 'oauth.authorize':
        return oauth.authorize(url.searchParams);
      case 'oauth.consent': {
        const params = form();
        const decision = params.get('decision') === 'approve' ? 'approve' : 'deny';
        // Only the scopes left ticked on the page are granted.
        return oauth.decide(params, decision, params.get('email') ?? '', params.getAll('granted_scope'));
      }
      case 'oauth.token':
        return oauth.token(form(), req.headers.authorization);
      case 'oauth.revoke':
        return oauth.revoke(url.searchParams.get('token') ?? form().get('token'));
      case 'batch':
        return answerBatch(body, req);
      default:
        return { status: 404, body: errors.notFound().body() };
    }
  };

  const answerBatch = (body: string, req: IncomingMessage): EmulatorResponse => {
    try {
      const outer = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
      );
      return router.batch(body, outer, (part) => dispatchApi(part));
    } catch (error) {
      if (error instanceof BatchFormatError)
        return { status: 400, body: errors.invalid(`Invalid batch request: ${error.message}`).body() };
      if (error instanceof EmulatedGoogleError)
        return { status: error.status, body: error.body(), headers: error.headers() };
      throw error;
    }
  };

  const control = createGoogleControl({
    state,
    oauth,
    push,
    userEvents,
    scripted,
    randomFaults,
    counts,
    windows,
    now,
    reseed(c) {
      state.clients.set(DEMO_GOOGLE_CLIENT.clientId, { ...DEMO_GOOGLE_CLIENT });
      if (options.seed ?? true) seedDemoStudent(c, now());
    },
  });

  if (options.seed ?? true) seedDemoStudent(control, now());
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const address = server.address() as AddressInfo;
  baseUrl = `http://${options.host ?? '127.0.0.1'}:${address.port}`;
  return {
    url: baseUrl,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        // Deliveries still in flight are abandoned: a closed emulator sends nothing more.
        push.reset();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (typeof response.body === 'string') payload = response.body;
  else if (response.body !== undefined) {
    payload = JSON.stringify(response.body, null, 1);
    headers['content-type'] ??= 'application/json; charset=UTF-8';
  }
  res.writeHead(response.status, {
    'cache-control': 'no-cache, no-store, max-age=0, must-revalidate',
    vary: 'Origin, X-Origin, Referer',
    ...headers,
  });
  res.end(response.status === 204 || response.status === 304 ? undefined : payload);
}
