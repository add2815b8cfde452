import type { GoogleEvent } from '../google/calendar-api.ts';
import { toUtc } from '../google/event-times.ts';
import { OWNER_PROPERTY } from './desired-events.ts';

/** When a deadline is due, as the sync last wrote it. */
export interface WrittenDeadline {
  dueAt: Date | null;
  allDay: boolean;
  allDayDate: string | null;
}

export interface DetectedEdit {
  googleEventId: string;
  sourceKey: string;
  edit: 'moved' | 'deleted';
}

// Google stores instants to the second; anything closer than this is where we put it.
const SAME_INSTANT_MS = 60_000;

/**
 * The student's own edits to CanvasCal's events among the events a calendar sync fetched:
 * a cancelled event of ours (deleted in Google), or one whose end is no longer at the
 * deadline (moved). Events that are not ours, or that we no longer map, are ignored. Pure.
 */
export function detectUserEdits(
  events: readonly GoogleEvent[],
  deadlines: ReadonlyMap<string, WrittenDeadline>,
  mappedEventIds: ReadonlySet<string>,
  calendarTimeZone: string,
): DetectedEdit[] {
  const edits: DetectedEdit[] = [];
  for (const event of events) {
    if (!mappedEventIds.has(event.id)) continue;
    const sourceKey = event.extendedProperties?.private?.sourceKey;
    // A tombstone carries no properties; the mapping alone says it is ours.
    if (event.status === 'cancelled') {
      edits.push({ googleEventId: event.id, sourceKey: sourceKey ?? '', edit: 'deleted' });
      continue;
    }
    if (event.extendedProperties?.private?.[OWNER_PROPERTY] !== '1' || !sourceKey) continue;
    const deadline = deadlines.get(sourceKey);
    if (!deadline) continue;
    if (isMoved(event, deadline, calendarTimeZone))
      edits.push({ googleEventId: event.id, sourceKey, edit: 'moved' });
  }
  return edits;
}

function isMoved(event: GoogleEvent, deadline: WrittenDeadline, calendarTimeZone: string): boolean {
  const eventAllDay = event.start?.date !== undefined;
  if (deadline.allDay && deadline.allDayDate)
    return !eventAllDay || event.start?.date !== deadline.allDayDate;
  if (eventAllDay || !deadline.dueAt) return true;
  const end = toUtc(event.end, calendarTimeZone);
  return !end || Math.abs(end.getTime() - deadline.dueAt.getTime()) > SAME_INSTANT_MS;
}
