// The periodic sync's scheduling for 10,000 students: today's one-by-one loop (per user: a
// Canvas connection read, createOrJoin's transaction, the queue's getJob + add) beside the
// paged tick (per page of 500: one query, one transaction, one addBulk), over one whole
// period. Database statements are counted by drizzle's logger (transactions' begin and commit too);
// queue calls by a counting wrapper. On Postgres + Redis when BENCH_DATABASE_URL (or
// TEST_DATABASE_URL) and BENCH_REDIS_URL (or TEST_REDIS_URL) are set, else PGlite + the
// in-process queue. `npm run bench scheduling-tick`; BENCH_TICK_USERS changes the count.
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { Redis } from 'ioredis';
import pg from 'pg';
import { createCanvasConnectionsRepo } from '../src/db/canvas-connections-repo.ts';
import { type Orm, openPostgres, wrapPglite } from '../src/db/client.ts';
import { createGoogleConnectionsRepo } from '../src/db/google-connections-repo.ts';
import { migrate } from '../src/db/migrate.ts';
import { schema } from '../src/db/schema.ts';
import { createSyncRunsRepo } from '../src/db/sync-runs-repo.ts';
import { CANVAS_SYNC_JOB, enqueueSyncForEveryone, userJobEnqueuer } from '../src/jobs/canvas-sync-jobs.ts';
import { scheduleDueRuns } from '../src/jobs/periodic-schedule.ts';
import { createBullmqQueue } from '../src/queue/bullmq-queue.ts';
import { createInProcessQueue } from '../src/queue/in-process-queue.ts';
import type { Queue } from '../src/queue/queue.ts';
import { seedConnectedStudents } from '../test/support/many-students.ts';
import { createTestDatabase } from '../test/support/postgres.ts';

const USERS = Number(process.env.BENCH_TICK_USERS ?? 10_000);
const PERIOD_MS = 15 * 60_000;
const TICK_MS = 60_000;

interface Backend {
  name: string;
  /** A fresh, migrated, seeded database: a counting orm on it, and how to drop it. */
  open(): Promise<{ orm: Orm; count: { statements: number }; close(): Promise<void> }>;
  queue(): Queue;
}

function countingQueue(queue: Queue) {
  const calls = { count: 0 };
  const counted: Queue = {
    ...queue,
    add: (name, payload, options) => {
      calls.count += 1;
      return queue.add(name, payload, options);
    },
    addMany: (jobs) => {
      calls.count += 1;
      return queue.addMany(jobs);
    },
    getJob: (id) => {
      calls.count += 1;
      return queue.getJob(id);
    },
  };
  return { queue: counted, calls };
}

async function measure(backend: Backend, way: 'one by one' | 'paged tick') {
  const { orm, count, close } = await backend.open();
  const { queue, calls } = countingQueue(backend.queue());
  try {
    const runs = createSyncRunsRepo(orm);
    count.statements = 0;
    const started = performance.now();
    let scheduled = 0;
    if (way === 'one by one') {
      const canvas = createCanvasConnectionsRepo(orm);
      const enqueue = userJobEnqueuer(queue, 30_000)(CANVAS_SYNC_JOB);
      const outcome = await enqueueSyncForEveryone({
        connections: createGoogleConnectionsRepo(orm),
        runs,
        enqueue: ({ userId, runId }) => enqueue(userId, runId),
        eligible: async (userId) => (await canvas.get(userId))?.status === 'connected',
      });
      scheduled = outcome.started;
    } else {
      // One period's 15 ticks: together they cover every user once, as the one loop does.
      const start = Math.floor(Date.now() / PERIOD_MS) * PERIOD_MS;
      for (let tick = 0; tick < PERIOD_MS / TICK_MS; tick += 1) {
        const outcome = await scheduleDueRuns(
          { runs, queue, periodMs: PERIOD_MS, tickMs: TICK_MS, backoffMs: 30_000 },
          { job: CANVAS_SYNC_JOB, kind: 'canvas', needsCanvas: true },
          start + tick * TICK_MS,
        );
        scheduled += outcome.started;
      }
    }
    const ms = performance.now() - started;
    return { way, scheduled, ms: Math.round(ms), statements: count.statements, queueCalls: calls.count };
  } finally {
    await queue.close(1_000);
    await close();
  }
}

function backends(): Backend {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
  const prefixes: string[] = [];
  const queue = (): Queue => {
    if (!redisUrl) return createInProcessQueue();
    const prefix = `bench-tick-${randomUUID().slice(0, 8)}`;
    prefixes.push(prefix);
    return createBullmqQueue({ redisUrl, prefix });
  };
  const cleanupRedis = async () => {
    if (!redisUrl) return;
    const redis = new Redis(redisUrl);
    for (const prefix of prefixes.splice(0)) {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  };
  if (!adminUrl) {
    return {
      name: 'PGlite + in-process queue',
      queue,
      open: async () => {
        const client = await PGlite.create();
        await migrate(wrapPglite(client));
        await wrapPglite(client).withSession((s) => seedConnectedStudents(s, USERS));
        const count = { statements: 0 };
        const logger = {
          logQuery: () => {
            count.statements += 1;
          },
        };
        const orm = drizzlePglite({ client, schema, logger }) as unknown as Orm;
        return { orm, count, close: () => client.close() };
      },
    };
  }
  return {
    name: `Postgres + ${redisUrl ? 'BullMQ on Redis' : 'in-process queue'}`,
    queue,
    open: async () => {
      const database = await createTestDatabase(adminUrl);
      const db = await openPostgres(database.url, 4, { statementTimeoutMs: 300_000 });
      await migrate(db);
      await db.withSession((s) => seedConnectedStudents(s, USERS));
      await db.close();
      const pool = new pg.Pool({ connectionString: database.url, max: 4 });
      const count = { statements: 0 };
      const logger = {
        logQuery: () => {
          count.statements += 1;
        },
      };
      const orm = drizzlePg({ client: pool, schema, logger }) as unknown as Orm;
      return {
        orm,
        count,
        close: async () => {
          await pool.end();
          await database.drop();
          await cleanupRedis();
        },
      };
    },
  };
}

export async function runSchedulingTickBench(): Promise<void> {
  const backend = backends();
  console.log(`${USERS} students with Google and Canvas connected, on ${backend.name}\n`);
  const rows = [await measure(backend, 'one by one'), await measure(backend, 'paged tick')];
  console.log('| way | runs started | time | DB statements | queue calls |');
  console.log('|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.way} | ${r.scheduled} | ${(r.ms / 1000).toFixed(2)} s | ${r.statements} | ${r.queueCalls} |`,
    );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runSchedulingTickBench();
