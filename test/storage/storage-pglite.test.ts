import { describe } from 'vitest';
import { emptyPglite, migratedPglite } from '../support/pglite.ts';
import { type StorageHarness, storageContract, syncStateContract } from './storage.contract.ts';

// Migration tests need an empty database; repository tests start from a migrated one. Both
// are cloned from a template booted once, because that is about three times faster than
// booting one per test.
const empty = async (): Promise<StorageHarness> => ({ open: emptyPglite, cleanup: async () => {} });
const migrated = async (): Promise<StorageHarness> => ({ open: migratedPglite, cleanup: async () => {} });

describe('storage on PGlite (embedded default)', () => {
  storageContract(empty);
  syncStateContract(migrated);
});
