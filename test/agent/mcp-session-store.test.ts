import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMcpSessionStore } from '../../src/agent/mcp-session-store.ts';
import { type Database, openPostgres } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { migratedPglite } from '../support/pglite.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';

const HOUR = 3_600_000;

/** The session store's promises; `second` is another serve process on the same database. */
function sessionContract(open: () => Promise<{ first: Database; second: Database; done(): Promise<void> }>) {
  let first: Database;
  let second: Database;
  let done: () => Promise<void>;
  let now: number;
  let alice: string;
  let bob: string;
  const store = (db: Database, extra: { idleMs?: number; perUser?: number } = {}) =>
    createMcpSessionStore(db.orm, { now: () => new Date(now), ...extra });

  beforeEach(async () => {
    ({ first, second, done } = await open());
    now = Date.parse('2031-03-01T12:00:00Z');
    alice = randomUUID();
    bob = randomUUID();
    await createUsersRepo(first.orm).ensure(alice, undefined);
    await createUsersRepo(first.orm).ensure(bob, undefined);
  });
  afterEach(() => done());

  it('a session opened through one process is live through another, for its user only, until ended', async () => {
    const id = await store(first).open(alice, '2025-06-18');
    expect(id).toMatch(/^[\x21-\x7e]{43}$/);
    expect(await store(second).touch(alice, id)).toBe(true);
    expect(await store(second).touch(bob, id)).toBe(false);
    expect(await store(second).end(bob, id)).toBe(false);
    expect(await store(first).touch(alice, `${id}x`)).toBe(false);
    expect(await store(second).end(alice, id)).toBe(true);
    expect(await store(first).touch(alice, id)).toBe(false);
    expect(await store(first).end(alice, id)).toBe(false);
  });

  it('stores only a hash of the session id', async () => {
    const id = await store(first).open(alice, '2025-06-18');
    const rows = await first.withSession((s) =>
      s.query<{ id_hash: string }>('select id_hash from mcp_sessions'),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.id_hash).not.toContain(id);
  });

  it('expires a session idle past the limit; each request keeps it alive', async () => {
    const sessions = store(first, { idleMs: 2 * HOUR });
    const id = await sessions.open(alice, '2025-06-18');
    now += 1.5 * HOUR;
    expect(await sessions.touch(alice, id)).toBe(true);
    now += 1.5 * HOUR;
    expect(await sessions.touch(alice, id)).toBe(true);
    now += 2 * HOUR + 1;
    expect(await sessions.touch(alice, id)).toBe(false);
  });

  it('keeps at most perUser sessions per user, dropping the least recently used', async () => {
    const sessions = store(first, { perUser: 2 });
    const a = await sessions.open(alice, '2025-06-18');
    now += 1_000;
    const b = await sessions.open(alice, '2025-06-18');
    now += 1_000;
    expect(await sessions.touch(alice, a)).toBe(true);
    const bobs = await sessions.open(bob, '2025-06-18');
    now += 1_000;
    const c = await sessions.open(alice, '2025-06-18');
    expect(await sessions.touch(alice, b)).toBe(false);
    expect(await sessions.touch(alice, a)).toBe(true);
    expect(await sessions.touch(alice, c)).toBe(true);
    expect(await sessions.touch(bob, bobs)).toBe(true);
  });
}

describe('MCP sessions on PGlite', () => {
  sessionContract(async () => {
    const db = await migratedPglite();
    // PGlite is one process's; the same handle stands in for the second one.
    return { first: db, second: db, done: () => db.close() };
  });
});

describeWithPostgres('MCP sessions on Postgres', (adminUrl) => {
  sessionContract(async () => {
    const { url, drop } = await createTestDatabase(adminUrl);
    const first = await openPostgres(url, 2);
    await migrate(first);
    const second = await openPostgres(url, 2);
    return {
      first,
      second,
      done: async () => {
        await first.close();
        await second.close();
        await drop();
      },
    };
  });
});
