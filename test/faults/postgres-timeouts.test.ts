import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { type Database, openPostgres } from '../../src/db/client.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

/**
 * Issue 13, item 10: a Postgres connection black-holed for a while left the worker hung long
 * after it came back. Every wait is bounded, and the pool recovers without a restart.
 */
describeWithPostgres('PostgreSQL behind a link that goes dark', (adminUrl) => {
  let database: { url: string; drop(): Promise<void> };
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let db: Database | undefined;
  const problems: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(adminUrl);
    const target = new URL(database.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });
  afterEach(async () => {
    proxy.restore();
    await db?.close();
    db = undefined;
    problems.length = 0;
  });
  afterAll(async () => {
    await proxy.close();
    await database.drop();
  });

  const open = (statementTimeoutMs: number, poolMax = 2) =>
    openPostgres(proxy.through(database.url), poolMax, {
      statementTimeoutMs,
      connectTimeoutMs: 300,
      onConnectionError: (error) => problems.push(error.message),
    });

  const elapsed = async (promise: Promise<unknown>) => {
    const started = performance.now();
    const outcome = await promise.then(
      () => 'ok',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    return { outcome, ms: performance.now() - started };
  };

  it('sets statement_timeout and idle_in_transaction_session_timeout on every connection', async () => {
    db = await openPostgres(database.url, 1, { statementTimeoutMs: 1234, idleInTransactionTimeoutMs: 4321 });
    const settings = await db.withSession((session) =>
      session.query<{ s: string; i: string }>(
        "select current_setting('statement_timeout') as s, current_setting('idle_in_transaction_session_timeout') as i",
      ),
    );
    expect(settings).toEqual([{ s: '1234ms', i: '4321ms' }]);
    const slow = await elapsed(db.withSession((session) => session.query('select pg_sleep(5)')));
    expect(slow.outcome).toMatch(/statement timeout/);
    expect(slow.ms).toBeLessThan(4_000);
  });

  it('a query on a black-holed connection fails in bounded time, and the pool recovers by itself', async () => {
    db = await open(200, 1);
    await db.ping();
    proxy.blackHole();
    // The server never hears the query: only the client-side read timeout can end the wait.
    const dark = await elapsed(db.ping());
    expect(dark.outcome).toMatch(/timeout/i);
    expect(dark.ms).toBeLessThan(15_000);
    expect(problems.some((p) => /timeout/i.test(p))).toBe(true);
    // New connections cannot open either, and say so quickly.
    const connecting = await elapsed(db.ping());
    expect(connecting.outcome).not.toBe('ok');
    expect(connecting.ms).toBeLessThan(15_000);
    proxy.restore();
    await expect(db.ping()).resolves.toBeUndefined();
  }, 40_000);

  it('a connection that timed out inside a transaction is not handed out again', async () => {
    db = await open(200, 1);
    const orm = db.orm;
    await db.ping();
    proxy.blackHole();
    const inTransaction = await elapsed(
      orm.transaction(async (tx) => {
        await tx.execute('select 1');
      }),
    );
    expect(inTransaction.outcome).not.toBe('ok');
    proxy.restore();
    // One connection in the pool: had the poisoned one come back, this would time out too.
    await expect(db.ping()).resolves.toBeUndefined();
  }, 40_000);
});
