import { describe } from 'vitest';
import { openPglite } from '../../src/db/client.ts';
import { migratedPglite } from '../support/pglite.ts';
import { type StorageHarness, storageContract, syncStateContract } from './storage.contract.ts';

const harness = async (): Promise<StorageHarness> => ({
  open: () => openPglite('memory://'),
  cleanup: async () => {},
});

describe('storage on PGlite (embedded default)', () => {
  storageContract(harness);
  syncStateContract(harness);
});
