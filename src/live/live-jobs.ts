import type { Logger } from 'pino';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { SyncRunsRepo } from '../db/sync-runs-repo.ts';
import type { WatchChannel, WatchChannelsRepo } from '../db/watch-channels-repo.ts';
import { forTheQueue } from '../jobs/register-jobs.ts';
import type { Metrics } from '../metrics.ts';
import type { Queue } from '../queue/queue.ts';
import {
  CALENDAR_RUN_KIND,
  type FollowCalendarsDeps,
  type FollowOutcome,
  runCalendarFollow,
} from '../sync/follow-calendars.ts';
import { CALENDAR_LIST, type ChannelKeeper } from './channel-keeper.ts';

/**
 * The delta sync of one calendar a notification asked for, debounced per user+calendar; for
 * the calendar list (`calendarId` CALENDAR_LIST) a follow of every followed calendar.
 */
export const PUSH_FOLLOW_JOB = 'calendar-push-follow';
/** Opens or renews one user's channels (after connecting, after the first sync, daily). */
export const WATCH_USER_JOB = 'watch-channels';
/** The daily renewal: a WATCH_USER_JOB for every connected user. */
export const WATCH_RENEW_JOB = 'watch-channels-renew';
/** Stops a channel we stopped that Google still delivers on. */
export const CHANNEL_STOP_JOB = 'watch-channel-stop';

/** The debounce window: every notification inside it joins one delta sync. */
export const PUSH_DEBOUNCE_MS = 30_000;
export const WATCH_RENEW_EVERY_MS = 24 * 3600_000;
// Stopped and expired rows are kept this long, so late deliveries are recognised as ours.
const KEEP_FINISHED_MS = 7 * 86_400_000;
const WATCH_ATTEMPTS = 6;
const FOLLOW_ATTEMPTS = 4;

export interface LiveEnqueuerOptions {
  debounceMs?: number;
  /** First retry delay of a failed job (doubling, with jitter). */
  backoffMs: number;
  now?: () => number;
}

/** How the receiver, the connect flow and the sync jobs ask for live-update work. */
export function liveEnqueuer(queue: Pick<Queue, 'add'>, options: LiveEnqueuerOptions) {
  const windowMs = options.debounceMs ?? PUSH_DEBOUNCE_MS;
  const now = options.now ?? (() => Date.now());
  // Per coalesce key: until when a sync this process added is sure to be still pending.
  const surelyPending = new Map<string, { from: number; until: number }>();
  // Kept clear of the window's end, so a clock step or a slow add never joins a started sync.
  const margin = Math.min(1_000, windowMs / 2);
  return {
    /**
     * Coalesced per user+calendar: every add inside the window joins the pending sync; an add
     * while it runs schedules exactly one more after it (the queue's promise). The user's
     * group key keeps it from running beside another sync of the same user. A sync this
     * process added cannot start before its window ends, so until then a further
     * notification joins it without asking Redis: a storm costs one queue round trip.
     */
    async followLater(userId: string, calendarId: string): Promise<{ joined: boolean }> {
      const key = `push-follow:${userId}:${calendarId}`;
      const at = now();
      const known = surelyPending.get(key);
      // (A clock that stepped back is no proof of anything: ask the queue.)
      if (known && known.from <= at && at < known.until) return { joined: true };
      if (known) surelyPending.delete(key);
      const added = await queue.add(
        PUSH_FOLLOW_JOB,
        { userId, calendarId },
        {
          coalesce: { key, windowMs },
          groupKey: userId,
          attempts: FOLLOW_ATTEMPTS,
          backoffMs: options.backoffMs,
        },
      );
      if (!added.coalesced) {
        surelyPending.set(key, { from: at, until: at + windowMs - margin });
        // Forget what has passed, so the map holds only the calendars of the last window.
        if (surelyPending.size > 1_000)
          for (const [k, t] of surelyPending) if (t.until <= at || t.from > at) surelyPending.delete(k);
      }
      return { joined: added.coalesced };
    },
    /** `replace` after a (re)connect: new channels even where live ones are recorded. */
    async ensureChannels(userId: string, how: { replace?: boolean } = {}): Promise<void> {
      await queue.add(
        WATCH_USER_JOB,
        { userId, replace: how.replace === true },
        {
          // A replacing run is its own key: it must not be absorbed by a plain one pending.
          coalesce: { key: `watch:${userId}${how.replace ? ':replace' : ''}`, windowMs: 0 },
          // One upkeep run per user at a time, or two could each open a channel.
          groupKey: `watch:${userId}`,
          attempts: WATCH_ATTEMPTS,
          backoffMs: options.backoffMs,
        },
      );
    },
    async stopLater(channel: WatchChannel): Promise<void> {
      await queue.add(
        CHANNEL_STOP_JOB,
        { userId: channel.userId, channelId: channel.channelId, resourceId: channel.resourceId },
        {
          coalesce: { key: `stop:${channel.channelId}`, windowMs: 0 },
          attempts: 3,
          backoffMs: options.backoffMs,
        },
      );
    },
    async renewAll(): Promise<void> {
      await queue.add(WATCH_RENEW_JOB, {}, { coalesce: { key: WATCH_RENEW_JOB, windowMs: 0 }, attempts: 3 });
    },
  };
}

export type LiveEnqueuer = ReturnType<typeof liveEnqueuer>;

export interface LiveJobDeps {
  queue: Queue;
  logger: Logger;
  metrics: Pick<Metrics, 'pushSyncs'>;
  keeper: ChannelKeeper;
  enqueue: LiveEnqueuer;
  channels: WatchChannelsRepo;
  connections: Pick<GoogleConnectionsRepo, 'listConnectedUserIds'>;
  runs: SyncRunsRepo;
  follow: Omit<FollowCalendarsDeps, 'only'>;
  concurrency: number;
  now?: () => number;
  /** After a follow succeeded (the study plan re-plans when busy time changed). */
  afterFollow?(userId: string, outcome: FollowOutcome, calendarId: string): Promise<void>;
}

/**
 * The worker side of live updates: the debounced delta sync, channel upkeep, and the daily
 * renewal (a repeatable job, so once per tick across every worker). At start every connected
 * user is checked, so a connection that lacks a channel (or whose channel lapsed while the
 * service was down) gets one; the periodic follow covers whatever happened meanwhile.
 */
export async function registerLiveJobs(deps: LiveJobDeps): Promise<void> {
  const { queue, keeper } = deps;
  const now = deps.now ?? (() => Date.now());
  queue.process<{ userId: string; calendarId: string }>(
    PUSH_FOLLOW_JOB,
    async ({ userId, calendarId }) => {
      // A queued follow of every calendar will run after this job anyway: join it.
      const { run, joined } = await deps.runs.createOrJoin(userId, CALENDAR_RUN_KIND);
      if (joined) return;
      deps.metrics.pushSyncs.inc();
      try {
        // Each try is a run of its own: a failed try is recorded as failed, and a retry starts afresh.
        // Nothing keeps the calendar list: availability and the planner read it from Google at
        // each query, so a calendar added or ticked there counts at once. What a list change
        // can leave stale is the event cache: it is followed like the periodic follow, every
        // followed calendar at once.
        const only = calendarId === CALENDAR_LIST ? {} : { only: [calendarId] };
        const outcome = await runCalendarFollow({ ...deps.follow, runs: deps.runs, ...only }, userId, run.id);
        await deps.afterFollow?.(userId, outcome, calendarId);
      } catch (error) {
        throw forTheQueue(error);
      }
    },
    { concurrency: deps.concurrency },
  );
  queue.process<{ userId: string; replace?: boolean }>(WATCH_USER_JOB, async ({ userId, replace }) => {
    try {
      const outcome = await keeper.ensure(userId, { replace: replace === true });
      if (outcome.opened + outcome.stopped > 0)
        deps.logger.info({ userId, ...outcome }, 'push channels renewed');
    } catch (error) {
      // A revoked grant has already marked the connection "reconnect needed": stop trying.
      throw forTheQueue(error);
    }
  });
  queue.process<{ userId: string; channelId: string; resourceId: string }>(
    CHANNEL_STOP_JOB,
    async (channel) => {
      try {
        await keeper.stopAgain(channel.userId, channel);
      } catch (error) {
        throw forTheQueue(error);
      }
    },
  );
  queue.process(WATCH_RENEW_JOB, async () => {
    const users = await deps.connections.listConnectedUserIds();
    for (const userId of users) await deps.enqueue.ensureChannels(userId);
    const forgotten = await deps.channels.deleteFinished(new Date(now() - KEEP_FINISHED_MS));
    deps.logger.info({ users: users.length, forgotten }, 'push channel renewal scheduled');
  });
  await queue.repeat(WATCH_RENEW_JOB, {}, WATCH_RENEW_EVERY_MS);
  await deps.enqueue.renewAll();
}
