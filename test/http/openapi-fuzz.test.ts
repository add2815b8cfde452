import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type CanvasEmulator, startCanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import { DEMO_CANVAS_DEVELOPER_KEY } from '../../emulators/canvas/canvas-oauth-endpoints.ts';
import {
  DEMO_GOOGLE_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../emulators/google/google-emulator.ts';
import { generateKey } from '../../src/crypto/key-ring.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import {
  type FuzzRequest,
  type Operation,
  operationsOf,
  requestsFor,
  type Sample,
} from '../support/openapi-requests.ts';

// Issue 13: every operation of the published OpenAPI document, fuzzed from its own schemas
// (valid values, boundaries, single-field mutations, wrong types, huge and odd strings, bad
// path segments, repeated and unknown query parameters, malformed bodies, wrong content types),
// with the student's valid token and with refused ones, against the embedded default with a
// connected demo student. Every answer: no 5xx; a 4xx says what to fix; no secret in any
// answer (body or header) or in any log line. Seeded: a failure prints the seed and the input;
// FUZZ_SEED replays it, FUZZ_RUNS sets the requests per operation (default 200).

const SEED = Number(process.env.FUZZ_SEED ?? 20_261_205);
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
// Sealed envelopes (`v1.<kid>.<iv>.<ciphertext>`, base64url), whatever they hold.
const SEALED = /\bv[0-9]+\.[A-Za-z0-9_-]{1,32}\.[A-Za-z0-9_-]{12,}\.[A-Za-z0-9_-]{16,}/;

// Run last, in this order, because they undo the set-up the others need (a connected student):
// replacing the Canvas connection, then removing it, then disconnecting Google, then deleting
// everything about the student (the next request with the token starts a new, empty user).
const LAST = [
  'PUT /api/v1/canvas/connection',
  'DELETE /api/v1/canvas/connection',
  'DELETE /api/v1/auth/google',
  'DELETE /api/v1/me',
];

// They succeed only with a fresh state and code from a consent screen, each usable once: a
// fuzzer cannot replay one (test/e2e/google-connect and canvas-oauth cover the success).
const ONE_TIME_CODES = [
  'GET /api/v1/auth/canvas/callback',
  'GET /api/v1/auth/google/callback',
  'POST /api/v1/auth/canvas/token',
  'POST /api/v1/auth/google/token',
];

// Not in the OpenAPI document (hidden routes) but reachable with a user's token: fuzzed too.
const MCP: Operation = {
  method: 'POST',
  path: '/mcp',
  // Streamable HTTP: a client says it takes JSON and event streams.
  parameters: [
    {
      in: 'header',
      name: 'accept',
      required: true,
      schema: { type: 'string', enum: ['application/json, text/event-stream'] },
    },
  ],
  secured: true,
  body: {
    type: 'object',
    properties: {
      jsonrpc: { type: 'string', enum: ['2.0'] },
      id: { type: 'integer', minimum: 0, maximum: 1000 },
      method: { type: 'string', enum: ['initialize', 'tools/list', 'tools/call', 'ping', 'resources/list'] },
      params: {
        type: 'object',
        properties: {
          name: {
            type: 'string',
            enum: [
              'list_deadlines',
              'check_availability',
              'get_study_plan',
              'sync_status',
              'sync_now',
              'nope',
            ],
          },
          arguments: {
            type: 'object',
            properties: {
              from: { type: 'string', format: 'date-time' },
              to: { type: 'string', format: 'date-time' },
              days: { type: 'integer', minimum: 1, maximum: 30 },
            },
          },
          protocolVersion: { type: 'string', enum: ['2025-06-18', '2024-11-05'] },
        },
      },
    },
    required: ['jsonrpc', 'method'],
  },
};

let e2e: EmulatedApp;
let emulators: { google: GoogleEmulator; canvas: CanvasEmulator } | undefined;
let operations: Operation[];
let authorizations: [string, ...string[]];
let knownPathValues: string[];
let aSession: { eventId: string; start: string; end: string } | undefined;
let samples: Record<string, Sample[]>;
let bearer: string;
const logLines: string[] = [];
let fixed: string[] = [];

beforeAll(async () => {
  const key = generateKey('k1');
  // One student sending thousands of requests a minute: far past Google's per-user quota, which
  // would turn most Google-reading answers into 429s (see error-handler.test.ts) and leave
  // their handlers unexplored. So the fuzzer's Google emulator has no quota, and neither do
  // CanvasCal's own rate limit and its pacing to Google's quotas.
  const [google, canvas] = await Promise.all([
    startGoogleEmulator({ port: 0, rateLimitPerMinute: 1_000_000 }),
    startCanvasEmulator({ port: 0 }),
  ]);
  emulators = { google, canvas };
  e2e = await startEmulatedApp(
    {
      LOG_LEVEL: 'debug',
      CANVASCAL_ENCRYPTION_KEYS: key.entry,
      RATE_LIMIT_PER_MINUTE: '100000',
      GOOGLE_QUOTA_PER_USER_PER_MINUTE: '1000000',
      GOOGLE_QUOTA_PER_PROJECT_PER_MINUTE: '1000000',
    },
    {
      sharedEmulators: emulators,
      logDestination: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    },
  );
  const headers = await e2e.signIn('fuzz@example.edu');
  bearer = headers.authorization ?? '';
  await e2e.connectGoogle(headers, { includePrimaryEvents: true });
  expect(
    (await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers })).statusCode,
  ).toBe(200);
  const first = await e2e.run(headers, '/api/v1/sync/canvas');
  expect(first.status).toBe('succeeded');
  const other = await e2e.signIn('other@example.edu');
  const otherRun = await e2e.http.inject({ method: 'POST', url: '/api/v1/sync/calendars', headers: other });
  const runs = (await e2e.http.inject({ url: '/api/v1/sync/status', headers })).json();
  const dayStart = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
  const listed = await e2e.http.inject({
    url: `/api/v1/deadlines?from=${dayStart.toISOString()}&to=${new Date(dayStart.getTime() + 366 * 86_400_000).toISOString()}`,
    headers,
  });
  const aDeadline: unknown = listed.json()?.deadlines?.[0]?.sourceKey;
  // Study planning on, so the one-session routes have sessions to move and remove.
  const prefs = (await e2e.http.inject({ url: '/api/v1/settings/planner', headers })).json();
  await e2e.http.inject({
    method: 'PUT',
    url: '/api/v1/settings/planner',
    headers,
    payload: { ...prefs, autoPlan: true },
  });
  let sessions: Array<{ eventId: string; start: string; end: string }> = [];
  await vi.waitFor(
    async () => {
      sessions = (await e2e.http.inject({ url: '/api/v1/plan', headers })).json().sessions;
      expect(sessions.length).toBeGreaterThan(0);
    },
    { timeout: 30_000, interval: 100 },
  );
  aSession = sessions[0];
  knownPathValues = [
    runs?.lastRun?.id,
    otherRun.json()?.runId,
    aDeadline,
    ...sessions.slice(0, 5).map((x) => x.eventId),
  ].filter((v): v is string => typeof v === 'string');

  const secret = await readFile(join(e2e.app.config.dataDir, 'auth-secret'), 'utf8');
  const userId: string = (await e2e.http.inject({ url: '/api/v1/me', headers })).json().id;
  const sign = (key: string, claims: { exp?: number; sub?: string }) => {
    const jwt = new SignJWT({ email: 'fuzz@example.edu' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(claims.sub ?? userId)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200);
    if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
    return jwt.sign(new TextEncoder().encode(key));
  };
  const hourAgo = Math.floor(Date.now() / 1000) - 3600;
  authorizations = [
    bearer,
    'Bearer garbage',
    'Bearer ',
    'Basic ZnV6ejpmdXp6',
    `${bearer}x`,
    bearer.replace('Bearer', 'bearer'),
    `Bearer ${await sign('not-the-secret-not-the-secret-not-the-secret', { exp: hourAgo + 7200 })}`,
    `Bearer ${await sign(secret.trim(), { exp: hourAgo })}`,
    `Bearer ${await sign(secret.trim(), {})}`,
    `Bearer ${await sign(secret.trim(), { exp: hourAgo + 7200, sub: 'not-a-uuid' })}`,
  ];
  // Known now; Google's tokens are gathered again at each check (access tokens are refreshed).
  fixed = [
    secret.trim(),
    key.entry.slice(key.entry.indexOf(':') + 1),
    e2e.canvas.control.demo?.token ?? '',
    DEMO_GOOGLE_CLIENT.clientSecret,
    DEMO_CANVAS_DEVELOPER_KEY.clientSecret,
  ].filter((s) => s.length >= 8);

  // Known-good inputs, so that the fuzzer's variants get past validation into the handlers.
  const from = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
  const range = { from: from.toISOString(), to: new Date(from.getTime() + 14 * 86_400_000).toISOString() };
  const planner = (await e2e.http.inject({ url: '/api/v1/settings/planner', headers })).json();
  const channel = e2e.google.channels().find((c) => !c.stopped);
  // /mcp keeps sessions: a request after initialize names its session and protocol version.
  const mcpHeaders = { accept: 'application/json, text/event-stream' };
  const mcpInitialize = {
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'fuzz', version: '1' } },
  };
  const opened = await e2e.http.inject({
    method: 'POST',
    url: '/mcp',
    headers: { ...mcpHeaders, authorization: bearer, 'content-type': 'application/json' },
    payload: mcpInitialize,
  });
  expect(opened.statusCode).toBe(200);
  const mcpSession = {
    'mcp-session-id': String(opened.headers['mcp-session-id']),
    'mcp-protocol-version': '2025-06-18',
  };
  samples = {
    'GET /api/v1/deadlines': [{ query: range }],
    'GET /api/v1/availability': [{ query: { ...range, minMinutes: '45', includeStudyBlocks: 'true' } }],
    'PUT /api/v1/settings/planner': [{ body: planner }],
    'PUT /api/v1/settings/calendars': [{ body: { preferredCalendars: ['primary'] } }],
    'PATCH /api/v1/plan/sessions/{eventId}': aSession
      ? [{ body: { start: aSession.start, end: aSession.end } }]
      : [],
    'GET /api/v1/auth/canvas/url': [{ query: { baseUrl: e2e.canvas.url } }],
    'GET /api/v1/auth/google/url': [{ query: { includePrimaryEvents: 'true' } }],
    'POST /api/v1/planner/preview': [{ body: { now: range.from } }],
    'PUT /api/v1/deadlines/{sourceKey}/effort': [
      { body: { effortMinutes: 90 } },
      { body: { effortMinutes: null } },
    ],
    'PUT /api/v1/canvas/connection': [
      { body: { baseUrl: e2e.canvas.url, token: e2e.canvas.control.demo?.token } },
    ],
    'POST /mcp': [
      { headers: mcpHeaders, body: mcpInitialize },
      { headers: { ...mcpHeaders, ...mcpSession }, body: { jsonrpc: '2.0', id: 1, method: 'tools/list' } },
      {
        headers: { ...mcpHeaders, ...mcpSession },
        body: {
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'list_deadlines', arguments: {} },
        },
      },
    ],
    'POST /webhooks/google': channel
      ? [
          {
            headers: {
              'x-goog-channel-id': channel.id,
              'x-goog-channel-token': channel.token ?? '',
              'x-goog-resource-id': channel.resourceId,
              'x-goog-resource-state': 'exists',
              'x-goog-message-number': '7',
            },
          },
        ]
      : [],
  };
  const document = (await e2e.http.inject('/docs/json')).json();
  const all = [...operationsOf(document), MCP];
  const rank = (op: Operation) => LAST.indexOf(`${op.method} ${op.path}`);
  operations = [
    ...all.filter((op) => rank(op) < 0),
    ...all.filter((op) => rank(op) >= 0).sort((a, b) => rank(a) - rank(b)),
  ];
}, 90_000);

afterAll(async () => {
  await e2e?.close();
  await emulators?.google.close();
  await emulators?.canvas.close();
});

/** Every secret the service holds for the student right now. */
function knownSecrets(): string[] {
  const state = e2e.google.state;
  return [
    ...fixed,
    ...state.refreshGrants.keys(),
    ...state.accessTokens.keys(),
    ...e2e.google.channels().map((c) => c.token),
  ].filter((s): s is string => typeof s === 'string' && s.length >= 8);
}

// A value the request itself carried counts only if it could not appear by chance.
const distinctive = (s: string) => s.length >= 12 && new Set(s).size >= 8;

function leakIn(text: string, secrets: string[]): string | undefined {
  if (SEALED.test(text)) return `a sealed envelope (${SEALED.exec(text)?.[0].slice(0, 12)}…)`;
  const found = secrets.find((s) => text.includes(s));
  return found === undefined ? undefined : `a secret (${found.slice(0, 4)}…, ${found.length} chars)`;
}

/** What is wrong with one answer, or undefined. */
async function problemWith(request: FuzzRequest, seen: Map<number, number>): Promise<string | undefined> {
  const res = await e2e.http.inject({
    method: request.method as 'GET',
    url: request.url,
    headers: request.headers,
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
  });
  seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
  if (res.statusCode >= 500) return `answered ${res.statusCode}: ${res.body.slice(0, 300)}`;
  if (res.statusCode >= 400) {
    const type = String(res.headers['content-type'] ?? '');
    if (type.startsWith('text/html')) {
      if (res.body.trim() === '') return `answered ${res.statusCode} with an empty page`;
    } else {
      let message: unknown;
      try {
        message = res.json()?.error?.message;
      } catch {
        message = undefined;
      }
      if (typeof message !== 'string' || message.trim() === '')
        return `answered ${res.statusCode} without error.message: ${res.body.slice(0, 200)}`;
    }
  }
  const carried = request.carriedSecrets.filter(distinctive);
  const answer = `${JSON.stringify(res.headers)}\n${res.body}`;
  const leak = leakIn(answer, [...knownSecrets(), ...carried]);
  if (leak) return `the answer (${res.statusCode}) holds ${leak}`;
  const logged = logLines.splice(0).join('');
  const logLeak = leakIn(logged, [...knownSecrets(), bearer.slice('Bearer '.length), ...carried]);
  if (logLeak) return `a log line holds ${logLeak}`;
  return undefined;
}

describe('the OpenAPI document, fuzzed', () => {
  it('documents the routes a client uses, webhooks included', () => {
    const names = operations.map((op) => `${op.method} ${op.path}`);
    expect(names).toContain('POST /webhooks/google');
    expect(names).toContain('GET /api/v1/sync/runs/{id}');
    expect(names.length).toBeGreaterThanOrEqual(25);
  });

  it(`every operation, ${RUNS} seeded inputs each (seed ${SEED}): no 5xx, 4xx with a message, no secret out`, async () => {
    const statuses = new Map<string, Map<number, number>>();
    for (const operation of operations) {
      const seen = new Map<number, number>();
      statuses.set(`${operation.method} ${operation.path}`, seen);
      const outcome = await fc.check(
        fc.asyncProperty(
          requestsFor(operation, {
            authorizations,
            knownPathValues,
            samples: samples[`${operation.method} ${operation.path}`] ?? [],
          }),
          async (request) => {
            const problem = await problemWith(request, seen);
            if (problem) throw new Error(`${operation.method} ${operation.path}: ${problem}`);
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      if (outcome.failed) {
        const cause =
          outcome.errorInstance instanceof Error
            ? outcome.errorInstance.message
            : String(outcome.errorInstance);
        const input = JSON.stringify(outcome.counterexample?.[0]) ?? '';
        throw new Error(
          `${cause}\n(FUZZ_SEED=${outcome.seed}, run ${outcome.numRuns}, path ${outcome.counterexamplePath}) request: ${input.length > 600 ? `${input.slice(0, 600)}… (${input.length} chars)` : input}`,
        );
      }
    }
    // Inputs that all bounce off validation or auth would prove nothing: each operation must
    // also have been answered with success, and refused with a 4xx.
    const report = [...statuses].map(
      ([name, seen]) => `${name}: ${[...seen].map(([s, n]) => `${s}×${n}`).join(' ')}`,
    );
    if (process.env.FUZZ_REPORT) console.log(report.join('\n'));
    const unreached = [...statuses].filter(
      ([name, seen]) => !ONE_TIME_CODES.includes(name) && ![...seen.keys()].some((s) => s < 400),
    );
    expect(
      unreached.map(([name]) => name),
      report.join('\n'),
    ).toEqual([]);
    const unrefused = [...statuses].filter(([, seen]) => ![...seen.keys()].some((s) => s >= 400));
    expect(
      unrefused.map(([name]) => name),
      report.join('\n'),
    ).toEqual([]);
  }, 300_000);
});
