import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, SqlSession } from './client.ts';

export const MIGRATIONS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../supabase/migrations');

// Any constant works; it only has to be the same for every CanvasCal process on one database.
const MIGRATION_LOCK_KEY = 7_204_118_331;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * Applies every migration not yet applied, each in its own transaction, under a session
 * advisory lock so that two processes starting at once apply each file exactly once.
 * Idempotent: a second run applies nothing. A changed, already-applied file is an error.
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<{ applied: string[] }> {
  const files = await readMigrations(dir);
  return database.withSession(async (session) => {
    await session.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await session.exec(
        `create table if not exists canvascal_migrations (
           name text primary key,
           checksum text not null,
           applied_at timestamptz not null default now()
         )`,
      );
      const rows = await session.query<{ name: string; checksum: string }>(
        'select name, checksum from canvascal_migrations',
      );
      const done = new Map(rows.map((row) => [row.name, row.checksum]));
      const applied: string[] = [];
      for (const file of files) {
        const previous = done.get(file.name);
        if (previous !== undefined) {
          if (previous !== file.checksum) {
            throw new MigrationError(
              `migration ${file.name} was changed after it was applied; add a new migration file instead of editing it`,
            );
          }
          continue;
        }
        await applyOne(session, file);
        applied.push(file.name);
      }
      return { applied };
    } finally {
      await session.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  });
}

async function applyOne(session: SqlSession, file: MigrationFile): Promise<void> {
  await session.exec('begin');
  try {
    await session.exec(file.sql);
    await session.query('insert into canvascal_migrations (name, checksum) values ($1, $2)', [
      file.name,
      file.checksum,
    ]);
    await session.exec('commit');
  } catch (error) {
    await session.exec('rollback');
    throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`, { cause: error });
  }
}
