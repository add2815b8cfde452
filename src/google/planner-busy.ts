import type { CalendarCacheRepo } from '../db/calendar-cache-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import { featuresFor } from './scopes.ts';
import type { UserBusy } from './user-busy.ts';

export interface PlannerBusyInterval {
  start: string;
  end: string;
  status: 'busy' | 'unknown';
}

/**
 * The planner's busy time: free/busy over every counted calendar, unknown time as unknown
 * (the planner never plans into it). Without the free/busy scope, the followed primary
 * calendar's cache is the best we know; without Google, all of it is unknown.
 */
export function createPlannerBusySource(deps: {
  googleConnections: Pick<GoogleConnectionsRepo, 'get'>;
  userBusy: Pick<UserBusy, 'getBusy'>;
  calendarCache: Pick<CalendarCacheRepo, 'states' | 'busyEvents'>;
}) {
  return async (userId: string, from: Date, to: Date): Promise<PlannerBusyInterval[]> => {
    const connection = await deps.googleConnections.get(userId);
    if (connection?.status !== 'connected')
      return [{ start: from.toISOString(), end: to.toISOString(), status: 'unknown' }];
    if (featuresFor(connection.grantedScopes).freeBusy) {
      const map = await deps.userBusy.getBusy(userId, from, to);
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
    const calendars = (await deps.calendarCache.states(userId))
      .filter((c) => c.role !== 'app')
      .map((c) => c.calendarId);
    const events = await deps.calendarCache.busyEvents(userId, calendars, from, to);
    return events.flatMap((e) =>
      e.startAt && e.endAt
        ? [{ start: e.startAt.toISOString(), end: e.endAt.toISOString(), status: 'busy' as const }]
        : [],
    );
  };
}
