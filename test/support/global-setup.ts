import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { openPglite } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { FIXTURES_DIR, hasFixtures } from './fixtures-dir.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A migrated PGlite data dir, made once per run, that tests copy instead of running initdb. */
    pgliteTemplateDir: string;
  }
}

/**
 * Says once, before any test runs, what this run will skip: the PostgreSQL and Redis suites
 * without TEST_DATABASE_URL / TEST_REDIS_URL (CI sets both), and the tests that read the
 * shared fixtures on a clone without `../shared/fixtures`. Then builds the migrated PGlite
 * template every in-process app starts from: initdb takes seconds in WebAssembly, a copy
 * of its result milliseconds, and about twenty test files start an app.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const missing = [
    ['TEST_DATABASE_URL', 'PostgreSQL'],
    ['TEST_REDIS_URL', 'Redis'],
  ].filter(([variable]) => !process.env[variable as string]);
  if (missing.length > 0) {
    const names = missing.map(([variable, service]) => `${service} (set ${variable})`).join(' and ');
    console.warn(`\nThese suites are skipped in this run: ${names}. See README "Development".\n`);
  }
  if (!hasFixtures) {
    console.warn(
      `\nThe tests that read real API samples are skipped in this run: ${FIXTURES_DIR} not found (clone beside shared/ to run them).\n`,
    );
  }

  const root = await mkdtemp(join(tmpdir(), 'canvascal-pglite-template-'));
  const dataDir = join(root, 'pgdata');
  const db = await openPglite(dataDir);
  try {
    await migrate(db);
  } finally {
    await db.close();
  }
  project.provide('pgliteTemplateDir', dataDir);
  return () => rm(root, { recursive: true, force: true });
}
