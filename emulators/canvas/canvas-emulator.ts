import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CanvasControl } from './canvas-control.ts';
import { checkControlArguments } from './canvas-control-arguments.ts';
import { CONTROL_PREFIX, serveControl } from './canvas-control-http.ts';
import { handleCourseRoutes } from './canvas-course-routes.ts';
import { CanvasFaults, UPFRONT_COST } from './canvas-faults.ts';
import { NOT_FOUND, type RouteContext } from './canvas-http.ts';
import { CanvasOAuthEndpoints } from './canvas-oauth-endpoints.ts';
import { handlePlannerRoutes } from './canvas-planner-routes.ts';
import { profileJson } from './canvas-profile-json.ts';
import { seedDemoCanvas } from './canvas-seed.ts';
import { CanvasState, type CanvasUser } from './canvas-state.ts';
import { createCanvasControl, type RequestCounts } from './create-canvas-control.ts';

export interface CanvasEmulatorOptions {
  port?: number;
  host?: string;
  now?: () => number;
  seed?: boolean;
}

export interface CanvasEmulator {
  url: string;
  control: CanvasControl;
  close(): Promise<void>;
}

// A token Canvas does not know (or no longer honours): AuthenticationMethods::AccessTokenError,
// rendered by ApplicationController with the WWW-Authenticate challenge.
const DEAD_TOKEN = { errors: [{ message: 'Invalid access token.' }] };
// No token at all: `render_json_unauthorized` for a request without a current user
// (canvas-lms lib/authentication_methods.rb).
const NO_TOKEN = { status: 'unauthenticated', errors: [{ message: 'user authorization required' }] };
const REALM = { 'www-authenticate': 'Bearer realm="canvas-lms"' };

/**
 * The token of a request as `AuthenticationMethods.access_token` finds it: an `Authorization`
 * header whose scheme is exactly `Bearer` (the rest, even empty, is the token), else a
 * non-blank `access_token` query parameter; undefined when there is none.
 */
function accessTokenOf(req: IncomingMessage, url: URL): string | undefined {
  const header = (req.headers.authorization ?? '').trimStart();
  const space = header.search(/\s/);
  if (space > 0 && header.slice(0, space) === 'Bearer') return header.slice(space).trimStart();
  const param = url.searchParams.get('access_token');
  return param !== null && param.trim() !== '' ? param : undefined;
}

/** A number as Ruby's `Float#to_s` writes it, to two decimals: `1.0`, `699.98`, `-3.5`. */
function rubyFloat(n: number): string {
  const rounded = Math.round(n * 100) / 100;
  return Number.isInteger(rounded) ? rounded.toFixed(1) : String(rounded);
}

export async function startCanvasEmulator(options: CanvasEmulatorOptions = {}): Promise<CanvasEmulator> {
  const now = options.now ?? Date.now;
  const state = new CanvasState();
  const faults = new CanvasFaults(now);
  const counts: RequestCounts = { total: 0, byRoute: {}, cost: 0 };
  let origin = '';

  const oauth = new CanvasOAuthEndpoints(state, now, () => control.demo?.userId);
  // Every control call's arguments are checked first: a misspelt field is refused, naming it.
  const control: CanvasControl = checkControlArguments({
    ...createCanvasControl(state, faults, counts, () => origin, now),
    registerDeveloperKey(key) {
      oauth.keys.set(key.clientId, { ...key });
    },
    approveConsent: (authUrl, o = {}) => {
      const userId = o.userId ?? control.demo?.userId;
      if (userId === undefined)
        throw new Error('approveConsent needs a userId when no demo student is seeded');
      return oauth.decide(authUrl, { userId, ...(o.deny ? { deny: true } : {}) });
    },
  });

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    if (req.url?.startsWith('/login/oauth2/')) {
      counts.total += 1;
      const route = (req.url.split('?')[0] ?? '').replace(/^/, `${req.method} `);
      counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
      oauth.handle(req, res).catch((error: unknown) => {
        json(res, 500, { errors: [{ message: 'An error occurred.' }] });
        console.error('canvas emulator bug', error);
      });
      return;
    }
    if (req.url?.startsWith(CONTROL_PREFIX)) {
      serveControl(control, req, res).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: 'Emulator bug.' } });
        console.error('canvas emulator bug', error);
      });
      return;
    }
    try {
      handle(req, res);
    } catch (error) {
      if (!res.headersSent) json(res, 500, { errors: [{ message: 'An error occurred.' }] });
      console.error('canvas emulator bug', error);
    }
  });

  // Rejections before the bucket is reached cost nothing, and still say so, as Canvas does.
  const FREE = { 'x-request-cost': '0.0' };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', origin);
    const route = url.pathname.replace(/\/\d+/g, '/:id');
    counts.total += 1;
    counts.byRoute[route] = (counts.byRoute[route] ?? 0) + 1;
    if (!req.headers['user-agent'])
      return json(res, 403, { errors: [{ message: 'A User-Agent header is required' }] }, FREE);
    const presented = accessTokenOf(req, url);
    if (presented === undefined) return json(res, 401, NO_TOKEN, { ...REALM, ...FREE });
    const token = state.tokens.get(presented);
    if (token && token.revokeAfter !== null && token.revokeAfter <= 0) token.revoked = true;
    if (!token || token.revoked || (token.expiresAt !== null && token.expiresAt <= now()))
      return json(res, 401, DEAD_TOKEN, { ...REALM, ...FREE });
    const user = state.users.get(token.userId);
    if (!user) return json(res, 401, DEAD_TOKEN, { ...REALM, ...FREE });
    if (token.revokeAfter !== null) token.revokeAfter -= 1;
    if (!faults.admit(token.token)) {
      // A throttled request never ran, so it has no cost and Canvas sends no X-Request-Cost
      // (issue 12; app/middleware/request_throttle.rb's `rate_limit_exceeded` answer). The
      // emulator still says what is left, at most nothing, for clients that read only that.
      res.writeHead(403, {
        'content-type': 'text/plain; charset=utf-8',
        'x-rate-limit-remaining': rubyFloat(Math.min(0, faults.remaining(token.token, UPFRONT_COST))),
      });
      res.end('403 Forbidden (Rate Limit Exceeded)\n');
      return;
    }
    // The up-front charge lasts while the answer is in flight: it is refunded, and the real
    // cost charged, only when the answer is finished or the connection closes (a handler that
    // threw, a client that went away), exactly once.
    let cost = 0;
    let settled = false;
    res.once('close', () => {
      if (settled) return;
      settled = true;
      faults.settle(token.token, cost);
    });
    // Canvas charges for the work done: a page of many items costs more than a single object.
    const charge = (body: unknown): Record<string, string> => {
      cost = Math.round((1 + (Array.isArray(body) ? body.length * 0.02 : 0)) * 100) / 100;
      counts.cost = Math.round((counts.cost + cost) * 100) / 100;
      // Canvas sends what is left of the bucket only when throttling applies to the request.
      // Both are floating-point numbers as Ruby writes them ("1.0", "699.98"): "a floating
      // point number" (https://canvas.instructure.com/doc/api/file.throttling.html).
      return faults.throttling
        ? {
            'x-request-cost': rubyFloat(cost),
            'x-rate-limit-remaining': rubyFloat(faults.remaining(token.token, cost)),
          }
        : { 'x-request-cost': rubyFloat(cost) };
    };
    const respond = () => {
      try {
        answer(req, res, url, user, charge);
      } catch (error) {
        if (!res.headersSent) json(res, 500, { errors: [{ message: 'An error occurred.' }] }, charge(null));
        else res.destroy();
        console.error('canvas emulator bug', error);
      }
    };
    // The latency is the request's processing time: it is in flight, holding its charge.
    if (faults.latencyMs > 0) setTimeout(respond, faults.latencyMs);
    else respond();
  };

  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    user: CanvasUser,
    charge: (body: unknown) => Record<string, string>,
  ) => {
    const status = faults.failure(url);
    if (status !== undefined)
      return json(res, status, { errors: [{ message: 'An error occurred.' }] }, charge(null));

    const stringIds = (req.headers.accept ?? '').includes('application/json+canvas-string-ids');
    const ctx: RouteContext = {
      req,
      res,
      url,
      origin,
      state,
      user,
      now: now(),
      id: (n) => (stringIds ? String(n) : n),
      send: (code, body, headers = {}) => json(res, code, body, { ...charge(body), ...headers }),
      notModified: (headers) => {
        res.writeHead(304, { ...charge(null), ...headers });
        res.end();
      },
    };
    if (url.pathname === '/api/v1/users/self')
      return ctx.send(200, {
        id: ctx.id(user.id),
        name: user.name,
        sortable_name: user.name,
        short_name: user.name,
        avatar_url: null,
        locale: null,
        permissions: {},
      });
    if (url.pathname === '/api/v1/users/self/profile') return ctx.send(200, profileJson(ctx));
    if (handleCourseRoutes(ctx) || handlePlannerRoutes(ctx)) return;
    ctx.send(404, NOT_FOUND);
  };

  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  origin = `http://${options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  if (options.seed ?? true) control.demo = seedDemoCanvas(control, now());
  return {
    url: origin,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
