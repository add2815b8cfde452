import { describe } from 'vitest';
import { openPglite } from '../../src/db/client.ts';
import { migratedPglite } from '../support/pglite.ts';
import { type StorageHarness, storageContract, syncStateContract } from './storage.contract.ts';

// Migration tests need an empty database; repository tests start from a migrated one,
// cloned from a template because that is about three times faster than booting one.
const empty = async (): Promise<StorageHarness> => ({
  open: () => openPglite('memory://'),
  cleanup: async () => {},
});
const migrated = async (): Promise<StorageHarness> => ({ open: migratedPglite, cleanup: async () => {} });

describe('storage on PGlite (embedded default)', () => {
  storageContract(empty);
  syncStateContract(migrated);
});
