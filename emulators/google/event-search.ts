/**
 * `q` on events.list. The discovery document (events.list, parameter `q`) lists the fields
 * free text is matched against: summary, description, location, attendees' displayName and
 * email, the organizer's displayName and email, and the working-location fields
 * `officeLocation.buildingId|deskId|label` and `customLocation.label`; and it says the terms
 * "also match predefined keywords against all display title translations of working
 * location, out-of-office, and focus-time events" ("Office" finds office working locations,
 * "Out of office" finds out-of-office events).
 *
 * Chosen where Google is silent: every whitespace-separated term must occur (case-insensitive,
 * as a substring) in one of those fields or in the event's keywords; only the English titles
 * are known here, not their translations.
 */
export function matchesQuery(event: Record<string, unknown>, q: string): boolean {
  const terms = q.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const haystack = searchableText(event).toLowerCase();
  return terms.every((term) => haystack.includes(term));
}

interface Person {
  displayName?: unknown;
  email?: unknown;
}

function searchableText(event: Record<string, unknown>): string {
  const texts: unknown[] = [event.summary, event.description, event.location];
  for (const attendee of (Array.isArray(event.attendees) ? event.attendees : []) as Person[])
    texts.push(attendee?.displayName, attendee?.email);
  const organizer = event.organizer as Person | undefined;
  texts.push(organizer?.displayName, organizer?.email);
  const working = event.workingLocationProperties as
    | {
        type?: unknown;
        officeLocation?: { buildingId?: unknown; deskId?: unknown; label?: unknown };
        customLocation?: { label?: unknown };
      }
    | undefined;
  texts.push(
    working?.officeLocation?.buildingId,
    working?.officeLocation?.deskId,
    working?.officeLocation?.label,
    working?.customLocation?.label,
  );
  texts.push(...keywordsOf(event.eventType, working?.type));
  return texts.filter((t): t is string => typeof t === 'string').join('\n');
}

/** The English display titles Calendar gives these event types. */
function keywordsOf(eventType: unknown, workingType: unknown): string[] {
  if (eventType === 'outOfOffice') return ['Out of office'];
  if (eventType === 'focusTime') return ['Focus time'];
  if (eventType !== 'workingLocation') return [];
  if (workingType === 'officeLocation') return ['Office'];
  if (workingType === 'homeOffice') return ['Home'];
  return [];
}
