import type { CalendarCacheRepo } from '../db/calendar-cache-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import type { BusyMap } from './busy-map.ts';
import { featuresFor } from './scopes.ts';
import { FREE_BUSY_NOT_GRANTED, type UserBusy } from './user-busy.ts';

export interface PlannerBusyInterval {
  start: string;
  end: string;
  status: 'busy' | 'unknown';
}

export interface PlannerBusy {
  busy: PlannerBusyInterval[];
  /** Why some time is unknown or some calendar is not counted, and what the user can do. */
  notes: string[];
}

export interface PlannerBusyDeps {
  googleConnections: Pick<GoogleConnectionsRepo, 'get'>;
  userBusy: Pick<UserBusy, 'getBusy' | 'counted'>;
  calendarCache: Pick<CalendarCacheRepo, 'state' | 'busyEvents'>;
}

/**
 * The planner's busy time with the reasons behind what it could not see: free/busy over
 * every counted calendar, unknown time as unknown (the planner never plans into it). Without
 * the free/busy scope, the followed primary calendar's cache is the best we know and every
 * other counted calendar is unknown; without Google, all of it is unknown.
 */
export function createPlannerBusy(deps: PlannerBusyDeps) {
  return async (userId: string, from: Date, to: Date): Promise<PlannerBusy> => {
    const connection = await deps.googleConnections.get(userId);
    if (connection?.status !== 'connected')
      return {
        busy: [{ start: from.toISOString(), end: to.toISOString(), status: 'unknown' }],
        notes: ['Google is not connected, so all of your time counts as unknown; connect Google first.'],
      };
    const features = featuresFor(connection.grantedScopes);
    const hints = { calendarList: features.calendarDiscovery, freeBusy: features.freeBusy };
    if (features.freeBusy) {
      const map = await deps.userBusy.getBusy(userId, from, to, hints);
      return { busy: intervalsOf(map), notes: map.notes };
    }
    const counted = await deps.userBusy.counted(userId, hints);
    const followed =
      features.primaryCalendarSync && Boolean((await deps.calendarCache.state(userId, 'primary'))?.syncToken);
    const isPrimary = (id: string) => id === 'primary' || id === counted.primaryId;
    const unseen = [...counted.ids.filter((id) => !(followed && isPrimary(id))), ...counted.missing];
    const events = followed ? await deps.calendarCache.busyEvents(userId, ['primary'], from, to) : [];
    const busy: PlannerBusyInterval[] = events.flatMap((e) =>
      e.startAt && e.endAt
        ? [{ start: e.startAt.toISOString(), end: e.endAt.toISOString(), status: 'busy' as const }]
        : [],
    );
    if (unseen.length === 0) return { busy, notes: counted.notes };
    busy.push({ start: from.toISOString(), end: to.toISOString(), status: 'unknown' });
    return { busy, notes: [...counted.notes, FREE_BUSY_NOT_GRANTED] };
  };
}

function intervalsOf(map: BusyMap): PlannerBusyInterval[] {
  return [
    ...map.busy.map((r) => ({
      start: r.start.toISOString(),
      end: r.end.toISOString(),
      status: 'busy' as const,
    })),
    ...map.unknown.map((r) => ({
      start: r.start.toISOString(),
      end: r.end.toISOString(),
      status: 'unknown' as const,
    })),
  ];
}
