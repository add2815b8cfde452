import type { UsersRepo } from '../db/users-repo.ts';
import { type BusyMap, getBusyMap } from './busy-map.ts';
import type { CalendarApi, CalendarListEntry } from './calendar-api.ts';
import { countedCalendarIds, listAllCalendars, preferredButMissing } from './calendar-discovery.ts';

export interface UserBusyDeps {
  users: Pick<UsersRepo, 'getCalendarSettings'>;
  /** The user's Google client; rejects with an AppError when Google is not connected. */
  calendarFor(userId: string): Promise<CalendarApi>;
  /** CanvasCal's own calendar: its deadlines are transparent, its study blocks count only on request. */
  appCalendarId(userId: string): Promise<string | null>;
}

export interface CountedCalendars {
  api: CalendarApi;
  /** The user's calendar list, CanvasCal's own calendar left out. */
  entries: CalendarListEntry[];
  /** Calendars whose busy time counts. */
  ids: string[];
  /** Calendars the user chose that are no longer in their list: unknown, never free. */
  missing: string[];
  preferred: string[];
  appCalendarId: string | null;
}

/**
 * The user's busy time: the calendars that count (discovery + their choice), one aggregated
 * free/busy map over them, and every calendar that cannot answer (an error, or chosen but
 * gone from their list) reported as unknown over the whole range, which the planner and the
 * availability API treat as busy.
 */
export function createUserBusy(deps: UserBusyDeps) {
  const counted = async (userId: string): Promise<CountedCalendars> => {
    const api = await deps.calendarFor(userId);
    const [entries, settings, appCalendarId] = await Promise.all([
      listAllCalendars(api),
      deps.users.getCalendarSettings(userId),
      deps.appCalendarId(userId),
    ]);
    const preferred = settings.preferred_calendars;
    return {
      api,
      entries: entries.filter((e) => e.id !== appCalendarId),
      ids: countedCalendarIds(entries, preferred).filter((id) => id !== appCalendarId),
      missing: preferredButMissing(entries, preferred),
      preferred,
      appCalendarId,
    };
  };

  return {
    counted,
    /** One busy map for [from, to); `includeStudyBlocks` counts CanvasCal's own calendar too. */
    async getBusy(
      userId: string,
      from: Date,
      to: Date,
      options: { includeStudyBlocks?: boolean } = {},
    ): Promise<BusyMap & { calendars: string[] }> {
      const calendars = await counted(userId);
      const ids =
        options.includeStudyBlocks && calendars.appCalendarId
          ? [...calendars.ids, calendars.appCalendarId]
          : calendars.ids;
      const map = await getBusyMap(calendars.api, ids, from, to);
      if (calendars.missing.length > 0)
        map.unknown.push({
          start: from,
          end: to,
          calendarIds: calendars.missing,
          reason: 'notInCalendarList',
        });
      return { ...map, calendars: ids };
    },
  };
}

export type UserBusy = ReturnType<typeof createUserBusy>;
