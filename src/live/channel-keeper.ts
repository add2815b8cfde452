import { randomUUID } from 'node:crypto';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { WatchChannel, WatchChannelsRepo, WatchKind } from '../db/watch-channels-repo.ts';
import type { ChannelApi } from '../google/calendar-api.ts';
import { isScopeMissing } from '../google/calendar-discovery.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { featuresFor } from '../google/scopes.ts';
import {
  type ChannelKeys,
  hashChannelToken,
  hashedUnderNewestKey,
  newChannelToken,
} from './channel-token.ts';

/** Renew a channel once it has less than this left: two daily runs can fail before it lapses. */
export const RENEW_WITHIN_MS = 48 * 3600_000;
/**
 * The lifetime we ask for. Google grants at most what it allows for the resource (and says
 * so in the answer's `expiration`, which is what we record); asking for a month means we
 * always get the longest it allows.
 */
export const REQUESTED_TTL_S = 30 * 86_400;
/** The `calendarId` of a calendar-list channel's row (its `kind` is `calendar_list`). */
export const CALENDAR_LIST = 'calendarList';

export interface ChannelKeeperDeps {
  channels: WatchChannelsRepo;
  connections: Pick<GoogleConnectionsRepo, 'get'>;
  channelsFor(userId: string): ChannelApi;
  keys: ChannelKeys;
  /** Where Google posts notifications: PUBLIC_URL + /webhooks/google. */
  address(): string;
  ttlSeconds?: number;
  now?: () => number;
  /** CanvasCal's other calendars to watch (the study plan's, so a student's edit is seen at once). */
  extraCalendars?(userId: string): Promise<string[]>;
}

export interface EnsureOutcome {
  opened: number;
  stopped: number;
  /** Why a calendar got no channel (not connected, no app calendar yet, scope not granted). */
  skipped: string[];
}

/**
 * Keeps one live push channel on every calendar CanvasCal follows for a user, and one on their
 * calendar list when the grant lets CanvasCal read it. Google cannot extend a channel, so
 * renewing opens the new channel first, records it, and only then stops
 * the old one: there is never a moment without a live channel, and the overlap's duplicate
 * notifications are absorbed by the debounce. Idempotent: a run that died halfway (a channel
 * opened but the old one not yet stopped) is finished by the next one.
 */
export function createChannelKeeper(deps: ChannelKeeperDeps) {
  const now = deps.now ?? (() => Date.now());
  const ttlSeconds = deps.ttlSeconds ?? REQUESTED_TTL_S;
  const isLive = (c: WatchChannel, at: number) => !c.stoppedAt && c.expiration.getTime() > at;

  const stop = async (api: ChannelApi, channel: WatchChannel) => {
    await api.stopChannel({ id: channel.channelId, resourceId: channel.resourceId });
    await deps.channels.markStopped(channel.channelId, new Date(now()));
  };

  return {
    /**
     * `replace`: open new channels even where live ones are recorded (after a reconnect: the
     * old channels belonged to the revoked grant, and Google may have dropped them unsaid).
     */
    async ensure(userId: string, options: { replace?: boolean } = {}): Promise<EnsureOutcome> {
      const outcome: EnsureOutcome = { opened: 0, stopped: 0, skipped: [] };
      const connection = await deps.connections.get(userId);
      if (connection?.status !== 'connected') {
        outcome.skipped.push('Google is not connected');
        return outcome;
      }
      const features = featuresFor(connection.grantedScopes);
      const wanted: Array<{ calendarId: string; kind: WatchKind }> = [];
      if (connection.appCalendarId) wanted.push({ calendarId: connection.appCalendarId, kind: 'events' });
      else outcome.skipped.push('the CanvasCal calendar does not exist yet');
      for (const calendarId of (await deps.extraCalendars?.(userId)) ?? [])
        wanted.push({ calendarId, kind: 'events' });
      if (features.primaryCalendarSync) wanted.push({ calendarId: 'primary', kind: 'events' });
      else outcome.skipped.push('reading the primary calendar was not granted');
      // A calendar added, ticked, hidden or removed in Google then starts a follow within the
      // debounce, not at the next periodic follow.
      if (features.calendarDiscovery) wanted.push({ calendarId: CALENDAR_LIST, kind: 'calendar_list' });
      else outcome.skipped.push('reading the calendar list was not granted');
      const isWanted = (c: WatchChannel) =>
        wanted.some((w) => w.calendarId === c.calendarId && w.kind === c.kind);

      const api = deps.channelsFor(userId);
      const at = now();
      const live = (await deps.channels.listForUser(userId)).filter((c) => isLive(c, at));
      for (const { calendarId, kind } of wanted) {
        const mine = live.filter((c) => c.calendarId === calendarId && c.kind === kind);
        let keep = options.replace
          ? undefined
          : mine
              // Near its end, or hashed under a key being rotated out: replace it.
              .filter(
                (c) =>
                  c.expiration.getTime() - at > RENEW_WITHIN_MS &&
                  hashedUnderNewestKey(deps.keys, c.tokenHash),
              )
              .sort((a, b) => b.expiration.getTime() - a.expiration.getTime())[0];
        if (!keep) {
          const token = newChannelToken();
          const id = randomUUID();
          let granted: { resourceId: string; expiration: Date };
          const request = { id, token, address: deps.address(), ttlSeconds };
          try {
            granted =
              kind === 'calendar_list'
                ? await api.watchCalendarList(request)
                : await api.watchEvents(calendarId, request);
          } catch (error) {
            // The grant on record says yes, Google says no: explained, not retried.
            if (kind === 'calendar_list' && isScopeMissing(error)) {
              outcome.skipped.push('Google refused to watch the calendar list (scope missing)');
              continue;
            }
            // The calendar is gone (the student deleted ours): the next sync recreates it.
            if (error instanceof GoogleApiError && (error.kind === 'not_found' || error.kind === 'gone')) {
              outcome.skipped.push(`calendar ${calendarId} no longer exists`);
              continue;
            }
            throw error;
          }
          keep = {
            channelId: id,
            userId,
            calendarId,
            kind,
            resourceId: granted.resourceId,
            expiration: granted.expiration,
            tokenHash: hashChannelToken(deps.keys, token),
            createdAt: new Date(now()),
            stoppedAt: null,
          };
          await deps.channels.insert(keep, new Date(now()));
          outcome.opened += 1;
        }
        for (const old of mine) {
          if (old.channelId === keep.channelId) continue;
          await stop(api, old).catch(async (error: unknown) => {
            // A channel of a grant revoked since: Google will not hear of it (403); forget it.
            if (!options.replace || !(error instanceof GoogleApiError) || error.retryable) throw error;
            await deps.channels.markStopped(old.channelId, new Date(now()));
          });
          outcome.stopped += 1;
        }
      }
      // Channels on calendars no longer followed (a scope taken back, a replaced app calendar).
      for (const channel of live) {
        if (isWanted(channel)) continue;
        await stop(api, channel);
        outcome.stopped += 1;
      }
      return outcome;
    },

    /**
     * Disconnect: stops every live channel at Google (while the grant still works), then
     * forgets them all. A channel Google would not stop lapses by itself, and as its row is
     * gone its notifications are "unknown" and start nothing; so a failure here does not keep
     * the student from disconnecting, it is only counted.
     */
    async stopAll(userId: string): Promise<{ stopped: number; failed: number }> {
      const at = now();
      let stopped = 0;
      let failed = 0;
      const api = deps.channelsFor(userId);
      for (const channel of await deps.channels.listForUser(userId)) {
        if (!isLive(channel, at)) continue;
        try {
          await api.stopChannel({ id: channel.channelId, resourceId: channel.resourceId });
          stopped += 1;
        } catch {
          failed += 1;
        }
      }
      await deps.channels.deleteForUser(userId);
      return { stopped, failed };
    },

    /** A channel we stopped that Google still delivers on: stop it again. */
    async stopAgain(userId: string, channel: { channelId: string; resourceId: string }): Promise<void> {
      await deps.channelsFor(userId).stopChannel({ id: channel.channelId, resourceId: channel.resourceId });
    },
  };
}

export type ChannelKeeper = ReturnType<typeof createChannelKeeper>;
