import { openPostgres } from '../../src/db/client.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { storageContract } from './storage.contract.ts';

describeWithPostgres('storage on PostgreSQL', (adminUrl) => {
  storageContract(async () => {
    const database = await createTestDatabase(adminUrl);
    return {
      open: () => openPostgres(database.url, 4),
      openAnother: () => openPostgres(database.url, 4),
      cleanup: () => database.drop(),
    };
  });
});
