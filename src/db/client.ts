import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import type { PGlite, PGliteInterface } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import type { Config } from '../config.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { schema } from './schema.ts';

export type Orm = PgDatabase<PgQueryResultHKT, typeof schema>;

/** One SQL connection, for work that must stay on a session (advisory locks, multi-statement migrations). */
export interface SqlSession {
  exec(sql: string): Promise<void>;
  query<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** The database the rest of the service talks to: PGlite in-process or Postgres over `pg`. */
export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly orm: Orm;
  /** Runs `fn` on one dedicated connection, released afterwards even when `fn` throws. */
  withSession<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** Resolves when the database answers `select 1`. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(
  config: Config['database'],
  options: Pick<PostgresTimeouts, 'onConnectionError'> = {},
): Promise<Database> {
  return config.kind === 'postgres'
    ? openPostgres(config.url, config.poolMax, { ...options, statementTimeoutMs: config.statementTimeoutMs })
    : openPglite(config.dataDir);
}

/**
 * PGlite's start-up settings beside its defaults. Its postgresql.conf is a server's
 * (shared_buffers 128 MB, maintenance_work_mem 64 MB), and inside WebAssembly every page
 * of it, once touched, stays resident for the life of the process: on the embedded default
 * that was most of the 550 MB `npm start` held. One student's data is a few MB, so 16 MB
 * of buffers hold all of it.
 */
export const PGLITE_MEMORY_SETTINGS: readonly string[] = [
  '-c',
  'shared_buffers=16MB',
  '-c',
  'maintenance_work_mem=16MB',
  '-c',
  'temp_buffers=2MB',
];

/** PGlite in a directory, or in memory when `dataDir` is `memory://`. */
export async function openPglite(dataDir: string): Promise<Database> {
  // PGlite is the process's one large WebAssembly module. Compiled by Liftoff only (no
  // optimising tier), its code takes about 40 MB less resident memory, and queries of one
  // student's data ran no slower in our measurements (bench/start-memory.ts). Set before
  // PGlite is compiled; it changes nothing else (JavaScript is not WebAssembly).
  setFlagsFromString('--liftoff-only');
  const { PGlite } = await import('@electric-sql/pglite');
  const options = { startParams: [...PGlite.defaultStartParams, ...PGLITE_MEMORY_SETTINGS] };
  if (dataDir.startsWith('memory://')) return wrapPglite(await PGlite.create(options));
  await mkdir(dataDir, { recursive: true });
  // One process per data dir: `canvascal migrate` beside a running `serve` is refused.
  const release = await lockDataDir(dataDir);
  try {
    await initializeDataDir(dataDir);
    const db = wrapPglite(await PGlite.create(dataDir, options));
    return {
      ...db,
      close: async () => {
        await db.close();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

// initdb runs inside PGlite's WebAssembly and its memory stays with the instance: a
// service that created its data dir in-process held about 900 MB against about 450 MB
// after a restart. A worker thread's memory was not all given back either (a fresh start
// stayed about 140 MB above a restart), so a fresh data dir is created in a short-lived
// child process, and then opened here as on any later start.
const INIT_SCRIPT = `
const [module, dataDir] = process.argv.slice(1);
require(module).PGlite.create(dataDir).then((db) => db.close()).catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
`;

async function initializeDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  const module = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  await new Promise<void>((resolve, reject) => {
    // Without the parent's flags (e.g. `--import tsx`): the script is plain CommonJS.
    const child = spawn(process.execPath, ['-e', INIT_SCRIPT, module, dataDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`creating the database in ${dataDir} failed (exit ${code}): ${stderr.trim()}`)),
    );
  });
}

/** A Database over an open PGlite instance (closing the Database closes it). */
export function wrapPglite(client: PGliteInterface): Database {
  // A clone is typed as the interface; drizzle only uses what the interface has.
  const orm = drizzlePglite({ client: client as PGlite, schema }) as unknown as Orm;
  const session: SqlSession = {
    exec: async (sql) => {
      await client.exec(sql);
    },
    query: async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
      (await client.query<R>(sql, params)).rows,
  };
  let closed = false;
  return {
    kind: 'pglite',
    orm,
    // PGlite is one connection: every caller already shares the session.
    withSession: (fn) => fn(session),
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

/** What bounds a Postgres connection's waits; every field has a default. */
export interface PostgresTimeouts {
  /** Server-side `statement_timeout`; the client gives up a little later (a black-holed link). */
  statementTimeoutMs?: number;
  /** Giving up on opening a connection (DNS, TCP, TLS, startup). */
  connectTimeoutMs?: number;
  /** Server-side `idle_in_transaction_session_timeout`: a transaction left open is ended. */
  idleInTransactionTimeoutMs?: number;
  /** Told when the pool loses a connection or gives up on a query, so the process can say so. */
  onConnectionError?(error: Error): void;
}

export const DEFAULT_STATEMENT_TIMEOUT_MS = 30_000;

export async function openPostgres(
  url: string,
  poolMax = 10,
  timeouts: PostgresTimeouts = {},
): Promise<Database> {
  const statementTimeoutMs = timeouts.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS;
  // Loaded only for Postgres: the embedded default keeps their memory.
  const [{ drizzle: drizzlePg }, { BoundedPool, dropOnReadTimeout }] = await Promise.all([
    import('drizzle-orm/node-postgres'),
    import('./bounded-pool.ts'),
  ]);
  // timestamptz arrives as Date (pg's default); int8 as string is left alone (we do not use it).
  const pool = new BoundedPool({
    connectionString: url,
    max: poolMax,
    connectionTimeoutMillis: timeouts.connectTimeoutMs ?? 5_000,
    statement_timeout: statementTimeoutMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs ?? 60_000,
    // The server's timeout answers first while the link works; this one ends the wait when
    // nothing comes back at all (a black-holed connection never answers).
    query_timeout: statementTimeoutMs + 5_000,
    // An idle connection whose peer vanished is noticed by TCP instead of on its next query.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client that loses its connection emits 'error' on the pool; without a listener
  // that would crash the process. The next query gets a fresh connection.
  pool.on('error', (error) => timeouts.onConnectionError?.(error));
  pool.on('connect', (client) => dropOnReadTimeout(client, timeouts.onConnectionError));
  const orm = drizzlePg({ client: pool, schema }) as unknown as Orm;
  let closed = false;
  return {
    kind: 'postgres',
    orm,
    withSession: async (fn) => {
      const client = await pool.connect();
      try {
        return await fn({
          exec: async (sql) => {
            await client.query(sql);
          },
          query: async <R extends Record<string, unknown>>(sql: string, params: unknown[] = []) =>
            (await client.query<R>(sql, params)).rows,
        });
      } finally {
        client.release();
      }
    },
    ping: async () => {
      await pool.query('select 1');
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}
