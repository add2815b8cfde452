import { openPostgres } from '../../src/db/client.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { type StorageHarness, storageContract, syncStateContract } from './storage.contract.ts';

describeWithPostgres('storage on PostgreSQL', (adminUrl) => {
  const harness = async (): Promise<StorageHarness> => {
    const database = await createTestDatabase(adminUrl);
    return {
      open: () => openPostgres(database.url, 4),
      openAnother: () => openPostgres(database.url, 4),
      cleanup: () => database.drop(),
    };
  };
  storageContract(harness);
  syncStateContract(harness);
});
