import { describe } from 'vitest';
import { openPglite } from '../../src/db/client.ts';
import { storageContract } from './storage.contract.ts';

describe('storage on PGlite (embedded default)', () => {
  storageContract(async () => ({ open: () => openPglite('memory://'), cleanup: async () => {} }));
});
