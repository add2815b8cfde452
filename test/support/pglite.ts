import { PGlite } from '@electric-sql/pglite';
import { type Database, wrapPglite } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';

let emptyTemplate: Promise<PGlite> | undefined;
let migratedTemplate: Promise<PGlite> | undefined;

// Booting a PGlite (initdb in WebAssembly) takes seconds; cloning a booted one takes about
// a third of that. Each test worker boots one template of each kind and clones it per test,
// so every test still gets a database of its own.

/** A fresh, empty in-memory PGlite (no migration applied), as `openPglite('memory://')` gives. */
export async function emptyPglite(): Promise<Database> {
  emptyTemplate ??= PGlite.create();
  return wrapPglite(await (await emptyTemplate).clone());
}

/** A fresh, migrated in-memory PGlite. */
export async function migratedPglite(): Promise<Database> {
  migratedTemplate ??= (async () => {
    const db = await PGlite.create();
    await migrate(wrapPglite(db));
    return db;
  })();
  return wrapPglite(await (await migratedTemplate).clone());
}
