import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { type BusyMap, getBusyMap } from '../../src/google/busy-map.ts';
import { FREEBUSY_MAX_CALENDARS, FREEBUSY_MAX_RANGE_MS } from '../../src/google/freebusy-plan.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { expectedBusy, type Span } from './expected-busy.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const BASE = Date.parse('2026-12-01T00:00:00Z');
// Whole-hour, half-hour and quarter-hour zones, with and without DST, on both hemispheres.
const ZONES = [
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Asia/Kolkata',
  'America/St_Johns',
  'Australia/Adelaide',
  'Asia/Kathmandu',
  'America/Chicago',
];
const OFFSETS = ['UTC', '+05:30', '-03:30', '+05:45', '-09:00', '+13:45', '+01:00'];
const ROLES = ['owner', 'writer', 'reader', 'freeBusyReader'] as const;

const single = fc.record({
  kind: fc.constantFrom('timed', 'transparent', 'cancelled', 'declined', 'otherDeclined'),
  startMinute: fc.integer({ min: -20 * 1440, max: 230 * 1440 }),
  minutes: fc.integer({ min: 1, max: 600 }),
  offset: fc.constantFrom(...OFFSETS),
});
const allDay = fc.record({
  kind: fc.constant('allDay' as const),
  day: fc.integer({ min: -20, max: 230 }),
  days: fc.integer({ min: 1, max: 3 }),
});
// Local hours 06–21 keep clear of every DST gap in ZONES (they all change at night).
const weekly = fc.record({
  kind: fc.constant('weekly' as const),
  day: fc.integer({ min: -60, max: 200 }),
  hour: fc.integer({ min: 6, max: 21 }),
  minute: fc.constantFrom(0, 15, 30, 45),
  minutes: fc.integer({ min: 30, max: 180 }),
  zone: fc.constantFrom(...ZONES),
  bound: fc.oneof(
    fc.record({ count: fc.integer({ min: 2, max: 12 }) }),
    fc.record({ untilDays: fc.integer({ min: 1, max: 150 }) }),
    fc.constant({}),
  ),
  exdate: fc.integer({ min: 0, max: 5 }),
});
const eventSpec = fc.oneof(single, allDay, weekly);
type Spec = typeof eventSpec extends fc.Arbitrary<infer S> ? S : never;

const calendarSpec = fc.record({
  zone: fc.constantFrom(...ZONES),
  role: fc.constantFrom(...ROLES),
  events: fc.array(eventSpec, { maxLength: 4 }),
});

/** RFC 5545's basic form of a local date-time: 20261207T090000. */
const basic = (local: Temporal.PlainDateTime) =>
  local.toString({ smallestUnit: 'second' }).replace(/[-:]/g, '');

/** The event as a user would create it in Google Calendar. */
function resourceOf(spec: Spec, n: number): Record<string, unknown> {
  const summary = `${spec.kind} ${n}`;
  if (spec.kind === 'allDay') {
    const first = Temporal.Instant.fromEpochMilliseconds(BASE + spec.day * DAY).toZonedDateTimeISO('UTC');
    return {
      summary,
      start: { date: first.toPlainDate().toString() },
      end: { date: first.toPlainDate().add({ days: spec.days }).toString() },
    };
  }
  if (spec.kind === 'weekly') {
    const date = Temporal.Instant.fromEpochMilliseconds(BASE + spec.day * DAY).toZonedDateTimeISO('UTC');
    const start = date.toPlainDate().toZonedDateTime({
      timeZone: spec.zone,
      plainTime: { hour: spec.hour, minute: spec.minute },
    });
    const at = (z: Temporal.ZonedDateTime) => ({
      dateTime: z.toString({ timeZoneName: 'never' }),
      timeZone: spec.zone,
    });
    const bound =
      'count' in spec.bound
        ? `;COUNT=${spec.bound.count}`
        : 'untilDays' in spec.bound
          ? `;UNTIL=${basic(
              start
                .add({ hours: 24 * spec.bound.untilDays })
                .withTimeZone('UTC')
                .toPlainDateTime(),
            )}Z`
          : '';
    return {
      summary,
      start: at(start),
      end: at(start.add({ minutes: spec.minutes })),
      recurrence: [
        `RRULE:FREQ=WEEKLY${bound}`,
        `EXDATE;TZID=${spec.zone}:${basic(start.toPlainDateTime().add({ weeks: spec.exdate }))}`,
      ],
    };
  }
  const startMs = BASE + spec.startMinute * MINUTE;
  const at = (ms: number) => ({
    dateTime: Temporal.Instant.fromEpochMilliseconds(ms).toString({ timeZone: spec.offset }),
  });
  const extra =
    spec.kind === 'transparent'
      ? { transparency: 'transparent' }
      : spec.kind === 'cancelled'
        ? { status: 'cancelled' }
        : spec.kind === 'declined'
          ? { attendees: [{ self: true, responseStatus: 'declined' }] }
          : spec.kind === 'otherDeclined'
            ? {
                attendees: [
                  { email: 'friend@example.com', responseStatus: 'declined' },
                  { email: DEMO_STUDENT_EMAIL, self: true, responseStatus: 'accepted' },
                ],
              }
            : {};
  return { summary, start: at(startMs), end: at(startMs + spec.minutes * MINUTE), ...extra };
}

const spans = (map: BusyMap): Span[] => map.busy.map((b) => [b.start.getTime(), b.end.getTime()]);

let emulator: GoogleEmulator;
beforeAll(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
});
afterAll(() => emulator.close());

describe('getBusyMap against the emulator', () => {
  it('equals the busy time computed independently from the emulator state, in the planned number of queries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(calendarSpec, { minLength: 1, maxLength: 60 }),
        fc.integer({ min: -30 * 1440, max: 60 * 1440 }),
        fc.integer({ min: 1, max: 200 * 1440 }),
        fc.boolean(),
        async (calendars, fromMinute, lengthMinutes, deleteOne) => {
          const control = emulator.control;
          control.reset();
          const token = await emulatorAccessToken(emulator, [SCOPES.eventsFreebusy]);
          const api = createGoogleCalendarClient({
            rootUrl: `${emulator.url}/`,
            accessToken: async () => token,
          });
          let n = 0;
          const ids = calendars.map((c, i) => {
            const id = control.addCalendar(DEMO_STUDENT_EMAIL, {
              summary: `Calendar ${i}`,
              timeZone: c.zone,
              accessRole: c.role,
              ...(c.role === 'owner' ? {} : { owner: 'friend@example.com' }),
            });
            for (const event of c.events) control.userInsertEvent(id, resourceOf(event, n++));
            return id;
          });
          // A calendar deleted since discovery, and one that never existed: unknown, never free.
          const gone = deleteOne && ids[0] ? [ids[0]] : [];
          for (const id of gone) control.userDeleteCalendar(id);
          const unknownIds = [...gone, 'missing0000000000@group.calendar.google.com'];
          const asked = [...ids, ...unknownIds.slice(-1)];
          const from = BASE + fromMinute * MINUTE;
          const to = from + lengthMinutes * MINUTE;
          control.resetCounts();

          const map = await getBusyMap(api, asked, new Date(from), new Date(to));

          expect(spans(map)).toEqual(expectedBusy(control.state, DEMO_STUDENT_EMAIL, ids, from, to));
          const windows = Math.ceil((to - from) / FREEBUSY_MAX_RANGE_MS);
          const queries = Math.ceil(asked.length / FREEBUSY_MAX_CALENDARS) * windows;
          expect(map.queries).toBe(queries);
          expect(control.requestCounts().byMethod['calendar.freebusy.query']).toBe(queries);
          expect(new Set(map.unknown.flatMap((u) => u.calendarIds))).toEqual(new Set(unknownIds));
          for (const id of unknownIds) {
            const covered = map.unknown.filter((u) => u.calendarIds.includes(id));
            expect(covered.map((u) => u.reason)).toEqual(Array(windows).fill('notFound'));
            // Its unknown time tiles the whole window.
            let cursor = from;
            for (const u of covered.sort((a, b) => a.start.getTime() - b.start.getTime())) {
              expect(u.start.getTime()).toBe(cursor);
              cursor = u.end.getTime();
            }
            expect(cursor).toBe(to);
          }
        },
      ),
      { numRuns: 25 },
    );
  });
});
