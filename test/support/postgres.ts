import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openPostgres } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

/**
 * A throwaway database on the test server, so suites never share state. Returns its URL
 * and a `drop` that removes it (forcefully: a failed test may leave connections open).
 */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `canvascal_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Opens a fresh migrated database per call on the server at `adminUrl`, and closes and drops
 * it: the pair a suite run on every database kind takes.
 */
export function migratedPostgres(adminUrl: string) {
  const drops = new Map<object, () => Promise<void>>();
  return {
    async open(): Promise<Database> {
      const database = await createTestDatabase(adminUrl);
      const db = await openPostgres(database.url, 4);
      await migrate(db);
      drops.set(db, database.drop);
      return db;
    },
    async close(db: Database): Promise<void> {
      await db.close();
      await drops.get(db)?.();
      drops.delete(db);
    },
  };
}
