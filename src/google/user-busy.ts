import type { UsersRepo } from '../db/users-repo.ts';
import { type BusyMap, getBusyMap } from './busy-map.ts';
import type { CalendarApi, CalendarListEntry } from './calendar-api.ts';
import {
  countedCalendarIds,
  isScopeMissing,
  listAllCalendars,
  preferredButMissing,
} from './calendar-discovery.ts';

export interface UserBusyDeps {
  users: Pick<UsersRepo, 'getCalendarSettings'>;
  /** The user's Google client; rejects with an AppError when Google is not connected. */
  calendarFor(userId: string): Promise<CalendarApi>;
  /** CanvasCal's own calendar: its deadlines are transparent, its study blocks count only on request. */
  appCalendarId(userId: string): Promise<string | null>;
  /** CanvasCal's other calendars (the study plan's): never busy time, or the plan would avoid itself. */
  ownCalendarIds?(userId: string): Promise<string[]>;
}

export interface CountedCalendars {
  api: CalendarApi;
  /** The user's calendar list, CanvasCal's own calendar left out (empty when it may not be read). */
  entries: CalendarListEntry[];
  /** Calendars whose busy time counts. */
  ids: string[];
  /** Which of `ids` is the primary calendar ("primary" when the list could not be read). */
  primaryId: string;
  /** Calendars the user chose that are no longer in their list: unknown, never free. */
  missing: string[];
  preferred: string[];
  appCalendarId: string | null;
  /** False when the user did not let CanvasCal read their calendar list. */
  listed: boolean;
  /** What the user should know about what is (not) counted, and what to do about it. */
  notes: string[];
}

/** What a caller already knows the grant allows; left out, CanvasCal asks Google and copes. */
export interface GrantHints {
  calendarList?: boolean;
  freeBusy?: boolean;
}

export const CALENDAR_LIST_NOT_GRANTED =
  'CanvasCal may not see your Google calendar list, so only your primary calendar (and any calendar you named in your settings) counts as busy; your other calendars are not counted. Reconnect Google and allow CanvasCal to see your list of calendars to count them.';
export const FREE_BUSY_NOT_GRANTED =
  'CanvasCal may not read free/busy time in your Google calendars, so their time counts as unknown (never free) and no study time is planned over it. Reconnect Google and allow CanvasCal to see your free/busy time.';

/** The reason of an `unknown` range whose calendars CanvasCal has no permission to read. */
export const FREE_BUSY_NOT_GRANTED_REASON = 'freeBusyNotGranted';

/**
 * The user's busy time: the calendars that count (discovery + their choice), one aggregated
 * free/busy map over them, and every calendar that cannot answer (an error, chosen but gone
 * from their list, or a permission the user did not grant) reported as unknown over the whole
 * range, which the planner and the availability API treat as busy. A missing permission is
 * never an error: the answer's `notes` say what is not counted and how to grant it.
 */
export function createUserBusy(deps: UserBusyDeps) {
  const counted = async (userId: string, hints: GrantHints = {}): Promise<CountedCalendars> => {
    const api = await deps.calendarFor(userId);
    const [entries, settings, appCalendarId, own] = await Promise.all([
      hints.calendarList === false ? null : listIfAllowed(api),
      deps.users.getCalendarSettings(userId),
      deps.appCalendarId(userId),
      deps.ownCalendarIds?.(userId) ?? ([] as string[]),
    ]);
    const ours = (id: string) => id === appCalendarId || own.includes(id);
    const preferred = settings.preferred_calendars;
    if (entries === null) {
      // Free/busy needs no list: the primary calendar (and calendars the user named before
      // the list was taken away) can still be read.
      const named = preferred.filter((id) => id !== 'primary');
      return {
        api,
        entries: [],
        ids: ['primary', ...named].filter((id) => !ours(id)),
        primaryId: 'primary',
        missing: [],
        preferred,
        appCalendarId,
        listed: false,
        notes: [CALENDAR_LIST_NOT_GRANTED],
      };
    }
    return {
      api,
      entries: entries.filter((e) => !ours(e.id)),
      ids: countedCalendarIds(entries, preferred).filter((id) => !ours(id)),
      primaryId: entries.find((e) => e.primary)?.id ?? 'primary',
      missing: preferredButMissing(entries, preferred),
      preferred,
      appCalendarId,
      listed: true,
      notes: [],
    };
  };

  return {
    counted,
    /** One busy map for [from, to); `includeStudyBlocks` counts CanvasCal's own calendar too. */
    async getBusy(
      userId: string,
      from: Date,
      to: Date,
      options: { includeStudyBlocks?: boolean } & GrantHints = {},
    ): Promise<BusyMap & { calendars: string[]; notes: string[] }> {
      const calendars = await counted(userId, options);
      const ids =
        options.includeStudyBlocks && calendars.appCalendarId
          ? [...calendars.ids, calendars.appCalendarId]
          : calendars.ids;
      const notes = [...calendars.notes];
      const map =
        options.freeBusy === false
          ? null
          : await getBusyMap(calendars.api, ids, from, to).catch(nullIfScopeMissing);
      const result: BusyMap = map ?? {
        busy: [],
        unknown: [{ start: from, end: to, calendarIds: ids, reason: FREE_BUSY_NOT_GRANTED_REASON }],
        queries: 0,
      };
      if (!map) notes.push(FREE_BUSY_NOT_GRANTED);
      if (calendars.missing.length > 0)
        result.unknown.push({
          start: from,
          end: to,
          calendarIds: calendars.missing,
          reason: 'notInCalendarList',
        });
      return { ...result, calendars: ids, notes };
    },
  };
}

export type UserBusy = ReturnType<typeof createUserBusy>;

async function listIfAllowed(api: CalendarApi): Promise<CalendarListEntry[] | null> {
  return listAllCalendars(api).catch(nullIfScopeMissing);
}

function nullIfScopeMissing(error: unknown): null {
  if (isScopeMissing(error)) return null;
  throw error;
}
