/**
 * The least Google scopes, per feature (DESIGN.md "Scopes"). The token answer's `scope`
 * says what the user really granted; a feature whose scope is missing is off.
 */
const BASE = 'https://www.googleapis.com/auth/';

export const SCOPES = {
  /** Create CanvasCal's own calendar and write, list and watch its events. */
  appCreated: `${BASE}calendar.app.created`,
  /** Discover the user's calendars (calendarList.list does not accept app.created). */
  calendarListReadonly: `${BASE}calendar.calendarlist.readonly`,
  /** Free/busy over every calendar the user can see, and events.watch on the primary calendar. */
  eventsFreebusy: `${BASE}calendar.events.freebusy`,
  /** Read the primary calendar's events for delta sync and conflict repair (opt-in). */
  eventsOwnedReadonly: `${BASE}calendar.events.owned.readonly`,
} as const;

export type Feature = 'deadlines' | 'calendarDiscovery' | 'freeBusy' | 'primaryCalendarSync';

export const FEATURE_SCOPES: Record<Feature, string> = {
  deadlines: SCOPES.appCreated,
  calendarDiscovery: SCOPES.calendarListReadonly,
  freeBusy: SCOPES.eventsFreebusy,
  primaryCalendarSync: SCOPES.eventsOwnedReadonly,
};

/** Scopes asked on first connection; `eventsOwnedReadonly` is asked later, incrementally. */
export const DEFAULT_SCOPES: readonly string[] = [
  SCOPES.appCreated,
  SCOPES.calendarListReadonly,
  SCOPES.eventsFreebusy,
];

/** Without this the product does nothing, so a grant missing it is refused at connect time. */
export const REQUIRED_SCOPE = SCOPES.appCreated;

export function parseScopes(scope: string | undefined | null): string[] {
  return [...new Set((scope ?? '').split(/\s+/).filter(Boolean))].sort();
}

export function featuresFor(granted: readonly string[]): Record<Feature, boolean> {
  const set = new Set(granted);
  return {
    deadlines: set.has(FEATURE_SCOPES.deadlines),
    calendarDiscovery: set.has(FEATURE_SCOPES.calendarDiscovery),
    freeBusy: set.has(FEATURE_SCOPES.freeBusy),
    primaryCalendarSync: set.has(FEATURE_SCOPES.primaryCalendarSync),
  };
}
