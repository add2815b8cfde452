import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDbProposalStore } from '../../src/agent/db-proposal-store.ts';
import { createMemoryProposalStore } from '../../src/agent/proposal-store.ts';
import { type Database, openPglite, openPostgres } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { migratedPglite } from '../support/pglite.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { type ProposalHarness, proposalStoreContract } from './proposal-store.contract.ts';

function onDatabase(db: Database, done: () => Promise<void>): ProposalHarness {
  return {
    store: (limits) => createDbProposalStore(db.orm, limits),
    reopen: (limits) => createDbProposalStore(db.orm, limits),
    addUser: (id) => createUsersRepo(db.orm).ensure(id, undefined),
    shared: true,
    done,
  };
}

describe('proposal store in memory', () => {
  proposalStoreContract(async () => ({
    store: (limits) => createMemoryProposalStore(limits),
    addUser: async () => {},
    shared: false,
    done: async () => {},
  }));
});

describe('proposal store on PGlite', () => {
  proposalStoreContract(async () => {
    const db = await migratedPglite();
    return onDatabase(db, () => db.close());
  });

  it('deletes a user’s plans with the user', async () => {
    const db = await migratedPglite();
    try {
      const id = '00000000-0000-4000-8000-00000000000a';
      await createUsersRepo(db.orm).ensure(id, undefined);
      await createDbProposalStore(db.orm).save(id, []);
      await db.withSession((s) => s.query('delete from users where id = $1', [id]));
      const rows = await db.withSession((s) =>
        s.query<{ n: number }>('select count(*)::int as n from agent_proposals'),
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('survives a restart: the embedded data dir, closed and opened again, still has the plan', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'canvascal-proposals-'));
    try {
      const id = '00000000-0000-4000-8000-00000000000b';
      const before = await openPglite(dir);
      await migrate(before);
      await createUsersRepo(before.orm).ensure(id, undefined);
      const plan = await createDbProposalStore(before.orm).save(id, [
        {
          deadlineId: 'essay',
          start: '2031-03-03T09:00:00.000Z',
          end: '2031-03-03T10:00:00.000Z',
          pinned: false,
        },
      ]);
      await before.close();
      const after = await openPglite(dir);
      try {
        const read = await createDbProposalStore(after.orm, { now: () => plan.createdAt }).get(id, plan.id);
        expect(read?.sessions).toEqual(plan.sessions);
      } finally {
        await after.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describeWithPostgres('proposal store on Postgres', (adminUrl) => {
  proposalStoreContract(async () => {
    const { url, drop } = await createTestDatabase(adminUrl);
    const first = await openPostgres(url, 2);
    await migrate(first);
    // A second pool is a second service process on the same database.
    const second = await openPostgres(url, 2);
    return {
      ...onDatabase(first, async () => {}),
      reopen: (limits) => createDbProposalStore(second.orm, limits),
      done: async () => {
        await first.close();
        await second.close();
        await drop();
      },
    };
  });
});
