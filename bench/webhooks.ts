// The push receiver under load: notifications per second accepted and latency percentiles at
// 50 concurrent keep-alive connections, valid and forged mixed, beside `/healthz` (no
// database, no Redis) in the same run. On Postgres + Redis when BENCH_DATABASE_URL (or
// TEST_DATABASE_URL) and BENCH_REDIS_URL (or TEST_REDIS_URL) are set, else on the embedded
// default (PGlite, in-process queue). The load comes from a worker thread, so the client
// does not share the server's event loop.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { createUsersRepo } from '../src/db/users-repo.ts';
import { createWatchChannelsRepo } from '../src/db/watch-channels-repo.ts';
import { hashChannelToken, newChannelToken } from '../src/live/channel-token.ts';
import { createTestDatabase } from '../test/support/postgres.ts';

const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const USERS = 200;

interface LoadResult {
  requests: number;
  statuses: Record<string, number>;
  perSecond: number;
  p50: number;
  p99: number;
}

// Each connection sends one request after another; latencies in ms, percentiles over all.
const LOAD_GENERATOR = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const { url, requests, connections, seconds } = workerData;
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies = [];
const statuses = {};
let sent = 0;
const until = Date.now() + seconds * 1000;
function one(headers) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname, method: headers ? 'POST' : 'GET', agent, headers: headers || {} }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
        resolve();
      });
    });
    req.on('error', () => { statuses.error = (statuses.error || 0) + 1; resolve(); });
    req.end();
  });
}
async function loop() {
  while (Date.now() < until) {
    const headers = requests.length ? requests[sent % requests.length] : undefined;
    sent += 1;
    await one(headers);
  }
}
const started = Date.now();
Promise.all(Array.from({ length: connections }, loop)).then(() => {
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] || 0;
  agent.destroy();
  parentPort.postMessage({ requests: latencies.length, statuses, perSecond: Math.round(latencies.length / elapsed), p50: +at(0.5).toFixed(2), p99: +at(0.99).toFixed(2) });
});
`;

function load(url: string, requests: Array<Record<string, string>>): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_GENERATOR, {
      eval: true,
      workerData: { url, requests, connections: CONNECTIONS, seconds: SECONDS },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}

export async function runWebhooksBench(): Promise<Record<string, unknown>[]> {
  const databaseUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL;
  const dir = await mkdtemp(join(tmpdir(), 'canvascal-bench-'));
  const database = databaseUrl ? await createTestDatabase(databaseUrl) : undefined;
  const prefix = `canvascal-bench-${randomUUID().slice(0, 8)}`;
  const app = await createApp({
    config: parseConfig({
      CANVASCAL_DATA_DIR: dir,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      PORT: '0',
      SYNC_INTERVAL_MINUTES: '0',
      GOOGLE_CLIENT_ID: 'bench-client',
      GOOGLE_CLIENT_SECRET: 'bench-secret',
      CANVASCAL_EMULATORS: 'off',
      ...(database ? { DATABASE_URL: database.url, DATABASE_POOL_MAX: '20' } : {}),
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
    }),
    // The receiver's side only: no worker takes the syncs it queues.
    role: 'api',
    queuePrefix: prefix,
  });
  const rows: Record<string, unknown>[] = [];
  try {
    const base = await app.listen();
    if (!base) throw new Error('the app did not listen');
    // Channels of many users, two calendars each, as the receiver finds them.
    const keys = app.cipher.deriveKeys('watch-channel-token');
    const users = createUsersRepo(app.db.orm);
    const channels = createWatchChannelsRepo(app.db.orm);
    const valid: Array<Record<string, string>> = [];
    for (let u = 0; u < USERS; u++) {
      const userId = randomUUID();
      await users.ensure(userId, `bench-${u}@example.edu`);
      for (const calendarId of ['primary', `app-${u}@group.calendar.google.com`]) {
        const token = newChannelToken();
        const channelId = randomUUID();
        await channels.insert(
          {
            channelId,
            userId,
            calendarId,
            kind: 'events',
            resourceId: `resource-${channelId.slice(0, 8)}`,
            expiration: new Date(Date.now() + 7 * 86_400_000),
            tokenHash: hashChannelToken(keys, token),
          },
          new Date(),
        );
        valid.push({
          'content-type': 'application/json; utf-8',
          'content-length': '0',
          'x-goog-channel-id': channelId,
          'x-goog-channel-token': token,
          'x-goog-resource-id': `resource-${channelId.slice(0, 8)}`,
          'x-goog-resource-state': 'exists',
          'x-goog-message-number': '2',
        });
      }
    }
    // Every fourth request forged: a real channel id with a wrong token.
    const mixed = valid.flatMap((headers, i) =>
      i % 3 === 0 ? [headers, { ...headers, 'x-goog-channel-token': newChannelToken() }] : [headers],
    );
    const backend = `${database ? 'Postgres' : 'PGlite'} + ${redisUrl ? 'Redis (BullMQ)' : 'in-process queue'}`;
    const forged = valid.map((headers) => ({ ...headers, 'x-goog-channel-token': newChannelToken() }));
    const runs: Array<[string, LoadResult]> = [];
    runs.push(['GET /healthz', await load(`${base}/healthz`, [])]);
    // Forged first: it also reads every channel row once (the receiver keeps found rows 30 s),
    // so the mixed run measures the steady state of a storm, where a calendar's first
    // notification in a window costs one row read and one queue add and the rest neither.
    runs.push(['POST /webhooks/google (forged only)', await load(`${base}/webhooks/google`, forged)]);
    runs.push(['POST /webhooks/google (3 valid : 1 forged)', await load(`${base}/webhooks/google`, mixed)]);
    for (const [route, result] of runs)
      rows.push({
        backend,
        route,
        connections: CONNECTIONS,
        'requests/s': result.perSecond,
        'p50 ms': result.p50,
        'p99 ms': result.p99,
        statuses: JSON.stringify(result.statuses),
      });
    const debounced = (await app.metrics.pushDebounced.get()).values[0]?.value ?? 0;
    const outcomes = (await app.metrics.pushNotifications.get()).values
      .map((v) => `${v.labels.outcome}=${v.value}`)
      .join(' ');
    console.table(rows);
    console.log(`outcomes: ${outcomes}; joined a pending sync: ${debounced}`);
  } finally {
    await app.close();
    if (redisUrl) {
      const redis = new Redis(redisUrl);
      const found = await redis.keys(`${prefix}:*`);
      if (found.length > 0) await redis.del(...found);
      redis.disconnect();
    }
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runWebhooksBench();
