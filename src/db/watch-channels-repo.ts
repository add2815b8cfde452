import { and, eq, gt, isNotNull, isNull, lt, min, or, sql } from 'drizzle-orm';
import type { Orm } from './client.ts';
import { users, watchChannels } from './schema.ts';

export type WatchKind = 'events' | 'calendar_list';

export interface WatchChannel {
  channelId: string;
  userId: string;
  /** The calendar watched (`primary`, the app calendar's id), or `calendarList`. */
  calendarId: string;
  kind: WatchKind;
  resourceId: string;
  expiration: Date;
  tokenHash: string;
  createdAt: Date;
  stoppedAt: Date | null;
}

export type NewWatchChannel = Omit<WatchChannel, 'createdAt' | 'stoppedAt'>;

/** Channel counts by state, for /metrics. */
export interface ChannelCensus {
  live: number;
  stopped: number;
  expired: number;
  /** The earliest expiration of a live channel, any user. */
  earliestLive: Date | null;
}

/**
 * The push channels CanvasCal opened at Google. Every write that changes which channels are
 * live also rewrites the user's `google_calendar_settings.watch_expiration` (the earliest live
 * expiration), in the same transaction, so the two never disagree.
 */
export interface WatchChannelsRepo {
  /** One row by channel id: the receiver's only database read. */
  get(channelId: string): Promise<WatchChannel | undefined>;
  listForUser(userId: string): Promise<WatchChannel[]>;
  insert(channel: NewWatchChannel, now: Date): Promise<void>;
  /** Marks stopped (kept, so a late notification is recognised as ours and ignored). */
  markStopped(channelId: string, now: Date): Promise<void>;
  /** Deletes every row of the user (disconnect) and clears `watch_expiration`. */
  deleteForUser(userId: string): Promise<void>;
  /** Forgets rows stopped or expired before `before`; returns how many. */
  deleteFinished(before: Date): Promise<number>;
  census(now: Date): Promise<ChannelCensus>;
}

export function createWatchChannelsRepo(orm: Orm): WatchChannelsRepo {
  type Tx = Parameters<Parameters<Orm['transaction']>[0]>[0];
  const recordEarliest = async (tx: Tx, userId: string, now: Date) => {
    const rows = await tx
      .select({ earliest: min(watchChannels.expiration) })
      .from(watchChannels)
      .where(
        and(
          eq(watchChannels.userId, userId),
          isNull(watchChannels.stoppedAt),
          gt(watchChannels.expiration, now),
        ),
      );
    const earliest = rows[0]?.earliest ? new Date(rows[0].earliest).toISOString() : null;
    await tx
      .update(users)
      .set({
        googleCalendarSettings: sql`jsonb_set(coalesce(${users.googleCalendarSettings}, '{}'::jsonb), '{watch_expiration}', ${JSON.stringify(earliest)}::jsonb)`,
      })
      .where(eq(users.id, userId));
  };

  return {
    async get(channelId) {
      const rows = await orm
        .select()
        .from(watchChannels)
        .where(eq(watchChannels.channelId, channelId))
        .limit(1);
      return rows[0] as WatchChannel | undefined;
    },
    async listForUser(userId) {
      return (await orm
        .select()
        .from(watchChannels)
        .where(eq(watchChannels.userId, userId))
        .orderBy(watchChannels.createdAt)) as WatchChannel[];
    },
    async insert(channel, now) {
      await orm.transaction(async (tx) => {
        await tx.insert(watchChannels).values({ ...channel, createdAt: now });
        await recordEarliest(tx, channel.userId, now);
      });
    },
    async markStopped(channelId, now) {
      await orm.transaction(async (tx) => {
        const rows = await tx
          .update(watchChannels)
          .set({ stoppedAt: now })
          .where(and(eq(watchChannels.channelId, channelId), isNull(watchChannels.stoppedAt)))
          .returning({ userId: watchChannels.userId });
        const userId = rows[0]?.userId;
        if (userId) await recordEarliest(tx, userId, now);
      });
    },
    async deleteForUser(userId) {
      await orm.transaction(async (tx) => {
        await tx.delete(watchChannels).where(eq(watchChannels.userId, userId));
        await recordEarliest(tx, userId, new Date(0));
      });
    },
    async deleteFinished(before) {
      const rows = await orm
        .delete(watchChannels)
        .where(
          or(
            and(isNotNull(watchChannels.stoppedAt), lt(watchChannels.stoppedAt, before)),
            lt(watchChannels.expiration, before),
          ),
        )
        .returning({ id: watchChannels.channelId });
      return rows.length;
    },
    async census(at) {
      const now = sql`${at.toISOString()}::timestamptz`;
      const rows = await orm
        .select({
          live: sql<number>`count(*) filter (where ${watchChannels.stoppedAt} is null and ${watchChannels.expiration} > ${now})`,
          stopped: sql<number>`count(*) filter (where ${watchChannels.stoppedAt} is not null)`,
          expired: sql<number>`count(*) filter (where ${watchChannels.stoppedAt} is null and ${watchChannels.expiration} <= ${now})`,
          earliestLive: sql<
            string | null
          >`min(${watchChannels.expiration}) filter (where ${watchChannels.stoppedAt} is null and ${watchChannels.expiration} > ${now})`,
        })
        .from(watchChannels);
      const row = rows[0];
      return {
        live: Number(row?.live ?? 0),
        stopped: Number(row?.stopped ?? 0),
        expired: Number(row?.expired ?? 0),
        earliestLive: row?.earliestLive ? new Date(row.earliestLive) : null,
      };
    },
  };
}
