import { describe } from 'vitest';
import { openPostgres } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { migratedPglite } from '../support/pglite.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { syncRunsScaleContract } from './sync-runs-scale.contract.ts';

describe('the periodic tick and sync_runs retention on PGlite', () => {
  syncRunsScaleContract(async () => ({ db: await migratedPglite(), cleanup: async () => {} }));
});

describeWithPostgres('the periodic tick and sync_runs retention on PostgreSQL', (adminUrl) => {
  syncRunsScaleContract(async () => {
    const database = await createTestDatabase(adminUrl);
    const db = await openPostgres(database.url, 4);
    await migrate(db);
    return { db, cleanup: () => database.drop() };
  });
});
