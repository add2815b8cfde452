import { Temporal } from 'temporal-polyfill';
import type { EventBody } from '../google/event-body.ts';
import { contentHash } from './content-hash.ts';
import { googleEventIdFor } from './event-id.ts';
import type { SourceItem } from './source-item.ts';

/** Marks an event as CanvasCal's in `extendedProperties.private`, so a query can find only ours. */
export const OWNER_PROPERTY = 'canvascal';
const DEADLINE_BLOCK_MINUTES = 30;
// Google's event palette; 8 (graphite) is kept for work already handed in.
const COURSE_COLORS = ['1', '2', '3', '4', '5', '6', '7', '9', '10', '11'];
const DONE_COLOR = '8';

export interface DesiredEvent {
  sourceKey: string;
  eventId: string;
  contentHash: string;
  body: EventBody;
}

export interface DesiredEventContext {
  userId: string;
  canvasHost: string;
  timeZone: string;
}

/**
 * What the calendar should hold for one item. Pure and deterministic: the same item and
 * context always give the same body and hash, so an unchanged item is never rewritten.
 */
export function desiredEventFor(item: SourceItem, context: DesiredEventContext): DesiredEvent {
  const eventId = googleEventIdFor(context.userId, context.canvasHost, item.key);
  const content: EventBody = {
    summary: `${item.submitted ? '✓ ' : ''}${item.courseCode || item.courseName}: ${item.title}`,
    description: describe(item),
    ...timing(item, context.timeZone),
    transparency: 'transparent',
    colorId: item.submitted ? DONE_COLOR : courseColor(item.courseId),
    reminders: {
      useDefault: false,
      // For an all-day event minutes count back from its midnight: 900 is 09:00 the day before.
      overrides: item.allDay
        ? [{ method: 'popup', minutes: 900 }]
        : [
            { method: 'popup', minutes: 24 * 60 },
            { method: 'popup', minutes: 60 },
          ],
    },
    source: { title: 'Canvas', url: item.htmlUrl },
  };
  const hash = contentHash(content);
  return {
    sourceKey: item.key,
    eventId,
    contentHash: hash,
    body: {
      ...content,
      id: eventId,
      // Restores an event the student deleted in Google when Canvas changes the item.
      status: 'confirmed',
      extendedProperties: { private: { [OWNER_PROPERTY]: '1', sourceKey: item.key, contentHash: hash } },
    },
  };
}

function timing(item: SourceItem, timeZone: string): Pick<EventBody, 'start' | 'end'> {
  if (item.allDay && item.allDayDate) {
    const day = Temporal.PlainDate.from(item.allDayDate);
    return { start: { date: day.toString() }, end: { date: day.add({ days: 1 }).toString() } };
  }
  const end = Temporal.Instant.from(item.dueAt);
  const start = end.subtract({ minutes: DEADLINE_BLOCK_MINUTES });
  return {
    start: { dateTime: start.toString(), timeZone },
    end: { dateTime: end.toString(), timeZone },
  };
}

function describe(item: SourceItem): string {
  const status = item.submitted
    ? 'Submitted'
    : item.missing
      ? 'Missing — not submitted yet'
      : 'Not submitted yet';
  const lines = [
    `${labelFor(item.kind)} in ${item.courseName}`,
    `Open in Canvas: ${item.htmlUrl}`,
    item.pointsPossible === null ? undefined : `Points: ${item.pointsPossible}`,
    item.kind === 'calendar_event' || item.kind === 'syllabus' ? undefined : `Status: ${status}`,
    '',
    'Kept in sync by CanvasCal: change it in Canvas; edits here are overwritten.',
  ];
  return lines.filter((line) => line !== undefined).join('\n');
}

function labelFor(kind: SourceItem['kind']): string {
  switch (kind) {
    case 'assignment':
      return 'Assignment';
    case 'quiz':
      return 'Quiz';
    case 'discussion':
      return 'Graded discussion';
    case 'calendar_event':
      return 'Course event';
    case 'syllabus':
      return 'Date from the syllabus';
  }
}

function courseColor(courseId: string): string {
  let sum = 0;
  for (const char of courseId) sum = (sum * 31 + char.charCodeAt(0)) >>> 0;
  return COURSE_COLORS[sum % COURSE_COLORS.length] ?? '1';
}
