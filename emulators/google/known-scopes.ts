const PREFIX = 'https://www.googleapis.com/auth/';

/** The Calendar API's scopes, as its discovery document lists them (a test checks this list against it). */
export const CALENDAR_SCOPES: readonly string[] = [
  'calendar',
  'calendar.acls',
  'calendar.acls.readonly',
  'calendar.app.created',
  'calendar.calendarlist',
  'calendar.calendarlist.readonly',
  'calendar.calendars',
  'calendar.calendars.readonly',
  'calendar.events',
  'calendar.events.freebusy',
  'calendar.events.owned',
  'calendar.events.owned.readonly',
  'calendar.events.public.readonly',
  'calendar.events.readonly',
  'calendar.freebusy',
  'calendar.readonly',
  'calendar.settings.readonly',
].map((s) => PREFIX + s);

/**
 * Every scope the emulator grants. Google takes a short name only for the sign-in scopes
 * (`openid`, `email`, `profile`); every other scope is its full URL, so a bare `calendar`
 * is unknown, not `…/auth/calendar`.
 */
const KNOWN = new Set([
  ...CALENDAR_SCOPES,
  'openid',
  'email',
  'profile',
  `${PREFIX}userinfo.email`,
  `${PREFIX}userinfo.profile`,
]);

/** The scopes of `requested` that Google would refuse as invalid. */
export const unknownScopes = (requested: readonly string[]): string[] =>
  requested.filter((s) => !KNOWN.has(s));
