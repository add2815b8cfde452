import { Temporal } from 'temporal-polyfill';
import type { EventBody } from '../google/event-body.ts';
import { CANVASCAL_NAMESPACE, uuidv5 } from '../ids.ts';
import { contentHash } from '../sync/content-hash.ts';
import type { SlottedSession } from './session-slots.ts';

/** `extendedProperties.private.canvascal` of a study session (deadline events carry "1"). */
export const STUDY_OWNER_VALUE = 'study';

/**
 * The Google event id of a study slot: UUIDv5 of user, deadline and slot, 32 hex characters
 * (inside Google's base32hex alphabet), so a retried insert collides (409) instead of
 * duplicating, and a moved session keeps its id (a patch, not a delete and an insert).
 */
export function studyEventIdFor(userId: string, deadlineKey: string, slotKey: string): string {
  return uuidv5(`study\n${userId}\n${deadlineKey}\n${slotKey}`, CANVASCAL_NAMESPACE).replace(/-/g, '');
}

export interface SessionDeadline {
  title: string;
  course: string;
  dueAt: Date | null;
  htmlUrl: string | null;
}

export interface DesiredSession extends SlottedSession {
  eventId: string;
  fingerprint: string;
  body: EventBody;
}

/**
 * What the calendar should hold for one session: a busy (opaque) event titled with the
 * course and deadline, linking back to Canvas, saying who planned it and how to move or
 * delete it. Pure: an unchanged session gives the same fingerprint, so nothing is sent.
 */
export function desiredSessionEvent(
  session: SlottedSession,
  deadline: SessionDeadline,
  context: { userId: string; timeZone: string },
): DesiredSession {
  const eventId = studyEventIdFor(context.userId, session.deadlineId, session.slotKey);
  const due = deadline.dueAt
    ? Temporal.Instant.fromEpochMilliseconds(deadline.dueAt.getTime())
        .toZonedDateTimeISO(context.timeZone)
        .toPlainDateTime()
        .toString({ smallestUnit: 'minute' })
        .replace('T', ' ')
    : 'no due date';
  const content: EventBody = {
    summary: `Study: ${deadline.course ? `${deadline.course}: ` : ''}${deadline.title}`,
    description: [
      `Study time for "${deadline.title}" (due ${due}), planned by CanvasCal.`,
      'Move it and CanvasCal keeps it where you put it; shorten it and it counts as the shorter time;',
      'delete it and CanvasCal will not put it back.',
      ...(deadline.htmlUrl ? [deadline.htmlUrl] : []),
    ].join('\n'),
    start: { dateTime: session.start, timeZone: context.timeZone },
    end: { dateTime: session.end, timeZone: context.timeZone },
    transparency: 'opaque',
    reminders: { useDefault: false, overrides: [{ method: 'popup', minutes: 10 }] },
    ...(deadline.htmlUrl ? { source: { title: 'Canvas', url: deadline.htmlUrl } } : {}),
  };
  const fingerprint = contentHash(content);
  return {
    ...session,
    eventId,
    fingerprint,
    body: {
      ...content,
      extendedProperties: {
        private: {
          canvascal: STUDY_OWNER_VALUE,
          deadline: session.deadlineId,
          slot: session.slotKey,
          text: sessionTextHash(content.summary, content.description),
        },
      },
    },
  };
}

/**
 * The fingerprint of a session's words, kept on the event (`private.text`) when we write them:
 * an event whose title or description no longer matches it was renamed by the student.
 */
export function sessionTextHash(summary: string | undefined, description: string | undefined): string {
  return contentHash({ summary: summary ?? '', description: description ?? '' });
}

/** Whether the student changed the title or description we wrote on this event. */
export function renamedByStudent(event: {
  summary?: string;
  description?: string;
  extendedProperties?: { private?: Record<string, string> };
}): boolean {
  const written = event.extendedProperties?.private?.text;
  return written !== undefined && written !== sessionTextHash(event.summary, event.description);
}

/** A session's body for a patch that leaves the student's words alone (they renamed it). */
export function withoutWords(body: EventBody): Partial<EventBody> {
  const { summary: _s, description: _d, extendedProperties, ...rest } = body;
  const { text: _t, ...kept } = extendedProperties?.private ?? {};
  return { ...rest, extendedProperties: { private: kept } };
}
