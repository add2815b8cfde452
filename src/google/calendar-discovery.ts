import type { CalendarApi, CalendarListEntry } from './calendar-api.ts';
import { GoogleApiError } from './google-api-error.ts';

/**
 * Google's answer to a request the grant's scopes do not cover (403 insufficientPermissions):
 * the user left a permission out, a state to explain, not a failure to report as Google's.
 */
export function isScopeMissing(error: unknown): boolean {
  return (
    error instanceof GoogleApiError && error.status === 403 && error.reason === 'insufficientPermissions'
  );
}

/** Every calendar in the user's list, following pages to the end. */
export async function listAllCalendars(
  api: Pick<CalendarApi, 'listCalendars'>,
): Promise<CalendarListEntry[]> {
  const all: CalendarListEntry[] = [];
  let pageToken: string | undefined;
  do {
    const page = await api.listCalendars({ maxResults: 250, ...(pageToken ? { pageToken } : {}) });
    all.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}

/**
 * The calendars whose busy time counts. By default, the ones the user shows in Google
 * (`selected`, the primary always included), free/busy-only ones too. When the settings'
 * `preferred_calendars` names anything beyond the blueprint's default `["primary"]`, exactly
 * those count ("primary" standing for the primary calendar).
 */
export function countedCalendarIds(
  entries: readonly CalendarListEntry[],
  preferred: readonly string[] | undefined,
): string[] {
  const primary = entries.find((e) => e.primary)?.id;
  const explicit = (preferred ?? []).filter((id) => id !== 'primary' || preferred?.length !== 1);
  if (explicit.length > 0) {
    const known = new Set(entries.map((e) => e.id));
    return [...new Set(explicit.map((id) => (id === 'primary' ? (primary ?? 'primary') : id)))].filter(
      (id) => known.has(id) || id === 'primary',
    );
  }
  return entries.filter((e) => e.primary || (e.selected && !e.hidden)).map((e) => e.id);
}

/**
 * Calendars the user named in `preferred_calendars` that are no longer in their list (deleted,
 * unshared). They must not silently become free time: callers report them as unknown.
 */
export function preferredButMissing(
  entries: readonly CalendarListEntry[],
  preferred: readonly string[] | undefined,
): string[] {
  const known = new Set(entries.map((e) => e.id));
  return [...new Set((preferred ?? []).filter((id) => id !== 'primary' && !known.has(id)))];
}
