import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Database, openPostgres } from '../../src/db/client.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { createWatchChannelsRepo, type NewWatchChannel } from '../../src/db/watch-channels-repo.ts';
import { migratedPglite } from '../support/pglite.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';

// The push channel records, on PGlite and on Postgres alike.

const DAY = 86_400_000;
const NOW = new Date('2031-05-01T00:00:00Z');

function watchChannelsContract(open: () => Promise<{ db: Database; done(): Promise<void> }>) {
  let db: Database;
  let done: () => Promise<void>;
  beforeEach(async () => {
    ({ db, done } = await open());
  });
  afterEach(() => done());

  const channel = (userId: string, calendarId: string, days: number): NewWatchChannel => ({
    channelId: randomUUID(),
    userId,
    calendarId,
    kind: 'events',
    resourceId: `r-${randomUUID()}`,
    expiration: new Date(NOW.getTime() + days * DAY),
    tokenHash: 'hash',
  });

  it('keeps watch_expiration at the earliest live channel, through inserts, stops and a disconnect', async () => {
    const users = createUsersRepo(db.orm);
    const channels = createWatchChannelsRepo(db.orm);
    const userId = randomUUID();
    await users.ensure(userId, 'w@example.edu');
    const soon = channel(userId, 'primary', 3);
    const later = channel(userId, 'app', 7);
    await channels.insert(later, NOW);
    await channels.insert(soon, NOW);
    const expiration = async () => (await users.getCalendarSettings(userId)).watch_expiration;
    expect(await expiration()).toBe(soon.expiration.toISOString());
    expect((await channels.get(soon.channelId))?.resourceId).toBe(soon.resourceId);
    await channels.markStopped(soon.channelId, NOW);
    expect(await expiration()).toBe(later.expiration.toISOString());
    expect((await channels.get(soon.channelId))?.stoppedAt).toEqual(NOW);
    expect(await channels.census(NOW)).toEqual({
      live: 1,
      stopped: 1,
      expired: 0,
      earliestLive: later.expiration,
    });
    expect((await channels.census(new Date(NOW.getTime() + 8 * DAY))).expired).toBe(1);
    await channels.deleteForUser(userId);
    expect(await channels.listForUser(userId)).toEqual([]);
    expect(await expiration()).toBeNull();
  });

  it('forgets only channels stopped or expired before the cut', async () => {
    const users = createUsersRepo(db.orm);
    const channels = createWatchChannelsRepo(db.orm);
    const userId = randomUUID();
    await users.ensure(userId, 'x@example.edu');
    const expired = channel(userId, 'primary', -10);
    const stopped = channel(userId, 'app', 5);
    const live = channel(userId, 'primary', 5);
    for (const c of [expired, stopped, live]) await channels.insert(c, NOW);
    await channels.markStopped(stopped.channelId, new Date(NOW.getTime() - 9 * DAY));
    expect(await channels.deleteFinished(new Date(NOW.getTime() - 7 * DAY))).toBe(2);
    expect((await channels.listForUser(userId)).map((c) => c.channelId)).toEqual([live.channelId]);
  });
}

describe('watch channels on PGlite', () => {
  watchChannelsContract(async () => {
    const db = await migratedPglite();
    return { db, done: () => db.close() };
  });
});

describeWithPostgres('watch channels on PostgreSQL', (adminUrl) => {
  watchChannelsContract(async () => {
    const database = await createTestDatabase(adminUrl);
    const db = await openPostgres(database.url, 2);
    await migrate(db);
    return {
      db,
      done: async () => {
        await db.close();
        await database.drop();
      },
    };
  });
});
