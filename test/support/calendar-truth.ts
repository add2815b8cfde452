import type { CanvasEmulator } from '../../emulators/canvas/canvas-emulator.ts';
import type { GoogleEmulatorControl } from '../../emulators/google/emulator-control.ts';
import { googleEventIdFor } from '../../src/sync/event-id.ts';

/** One event as the comparison sees it: id, source key, title, and times (instants in ms or dates). */
export interface EventFacts {
  id: string;
  key: string;
  summary: string;
  start: string;
  end: string;
}

/** What a student's Google account holds against what Canvas says is due. Empty lists: exact. */
export interface CalendarTruth {
  /** CanvasCal calendars the account owns (exactly 1 when right; more: orphans). */
  calendars: number;
  /** Items due in Canvas with no event. */
  missing: string[];
  /** Items with more than one event. */
  duplicate: string[];
  /** Events that are no Canvas item's (or not under the id CanvasCal gives that item). */
  extra: string[];
  /** Items whose one event has the wrong title or times (expected vs found). */
  wrong: string[];
  /** How many events the calendar holds. */
  events: number;
}

const dayAfter = (date: string) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** What the app calendar must hold for the Canvas demo student's due items, as CanvasCal user `userId`. */
export function expectedEventFacts(canvas: CanvasEmulator, userId: string): EventFacts[] {
  const demo = canvas.control.demo;
  if (!demo) throw new Error('the Canvas emulator has no demo student');
  const host = new URL(canvas.url).host;
  return canvas.control
    .expectedDueItems(demo.userId)
    .filter((t) => t.dueAt !== null)
    .map((t) => {
      const key = `${t.source}:${t.courseId}:${t.id}`;
      const course = canvas.control.state.courses.get(Number(t.courseId));
      const due = Date.parse(t.dueAt ?? '');
      return {
        id: googleEventIdFor(userId, host, key),
        key,
        summary: `${t.submitted ? '✓ ' : ''}${course?.courseCode || course?.name}: ${t.title}`,
        start: t.allDay ? String(t.allDayDate) : String(due - 30 * 60_000),
        end: t.allDay ? dayAfter(String(t.allDayDate)) : String(due),
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** The live events of one emulated calendar, as facts. */
export function eventFactsOf(google: GoogleEmulatorControl, calendarId: string): EventFacts[] {
  return [...(google.state.events.get(calendarId)?.values() ?? [])]
    .map((e) => e.resource)
    .filter((e) => e.status !== 'cancelled')
    .map((e) => {
      const start = e.start as { date?: string; dateTime?: string };
      const end = e.end as { date?: string; dateTime?: string };
      const props = e.extendedProperties as { private?: { sourceKey?: string } } | undefined;
      return {
        id: String(e.id),
        key: props?.private?.sourceKey ?? '',
        summary: String(e.summary),
        start: start.date ?? String(Date.parse(start.dateTime ?? '')),
        end: end.date ?? String(Date.parse(end.dateTime ?? '')),
      };
    })
    .sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * The exact end-state check: the Google account `email` owns exactly one CanvasCal calendar,
 * and it holds exactly one event per item due in Canvas, under CanvasCal's id for it, with the
 * right title and times, and nothing else.
 */
export function calendarTruth(
  google: GoogleEmulatorControl,
  canvas: CanvasEmulator,
  account: { email: string; userId: string },
): CalendarTruth {
  const calendars = [...google.state.calendars.values()].filter(
    (c) => c.summary === 'CanvasCal' && !c.deleted && c.owner === account.email,
  );
  const expected = expectedEventFacts(canvas, account.userId);
  const found = calendars.flatMap((c) => eventFactsOf(google, c.id));
  const byKey = new Map<string, EventFacts[]>();
  for (const event of found) byKey.set(event.key, [...(byKey.get(event.key) ?? []), event]);
  const wanted = new Map(expected.map((e) => [e.key, e]));
  const show = (e: EventFacts) => `${e.key} "${e.summary}" ${e.start}..${e.end} (${e.id})`;
  const truth: CalendarTruth = {
    calendars: calendars.length,
    missing: [],
    duplicate: [],
    extra: [],
    wrong: [],
    events: found.length,
  };
  for (const want of expected) {
    const events = byKey.get(want.key) ?? [];
    if (events.length === 0) truth.missing.push(want.key);
    else if (events.length > 1) truth.duplicate.push(`${want.key} ×${events.length}`);
    else if (JSON.stringify(events[0]) !== JSON.stringify(want))
      truth.wrong.push(`expected ${show(want)}, found ${events[0] ? show(events[0]) : '?'}`);
  }
  for (const event of found)
    if (!wanted.has(event.key) || wanted.get(event.key)?.id !== event.id) truth.extra.push(show(event));
  return truth;
}

/** The report of an exact calendar: what `calendarTruth` answers when nothing is off. */
export function exactTruth(events: number): CalendarTruth {
  return { calendars: 1, missing: [], duplicate: [], extra: [], wrong: [], events };
}
