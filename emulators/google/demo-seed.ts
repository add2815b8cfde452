import { Temporal } from 'temporal-polyfill';
import type { GoogleEmulatorControl } from './emulator-control.ts';
import { instanceId } from './event-instances.ts';

export const DEMO_STUDENT_EMAIL = 'student@example.edu';
export const DEMO_TIME_ZONE = 'America/Chicago';

/**
 * A student's Google Calendar for the demo, relative to `now`: weekly lectures stored as a
 * recurring series (one week cancelled by EXDATE, one lecture moved), work shifts, an
 * all-day event, a declined invitation, a transparent event, an event set in another zone,
 * a second selected calendar, a hidden unselected one, and a lab group calendar the student
 * can only see free/busy of.
 */
export function seedDemoStudent(control: GoogleEmulatorControl, nowMs: number): void {
  const primary = control.addAccount(DEMO_STUDENT_EMAIL, DEMO_TIME_ZONE);
  const today = Temporal.Instant.fromEpochMilliseconds(nowMs)
    .toZonedDateTimeISO(DEMO_TIME_ZONE)
    .toPlainDate();
  const monday = today.subtract({ days: today.dayOfWeek - 1 });
  const at = (day: Temporal.PlainDate, hour: number, minute = 0) =>
    day
      .toZonedDateTime({ timeZone: DEMO_TIME_ZONE, plainTime: { hour, minute } })
      .toString({ timeZoneName: 'never' });
  const timed = (
    summary: string,
    day: Temporal.PlainDate,
    start: number,
    end: number,
    extra: Record<string, unknown> = {},
  ) => ({
    summary,
    start: { dateTime: at(day, start), timeZone: DEMO_TIME_ZONE },
    end: { dateTime: at(day, end), timeZone: DEMO_TIME_ZONE },
    ...extra,
  });

  // A real series: Mon/Wed 10:00–11:00 Chicago time for ten weeks, the fourth week
  // cancelled by EXDATE (no class), and one lecture moved (an exception to the series).
  const series = 'lecturecs101series';
  const local = (day: Temporal.PlainDate) => `${day.toString().replace(/-/g, '')}T100000`;
  const cancelledWeek = [monday.add({ weeks: 3 }), monday.add({ weeks: 3, days: 2 })];
  control.userInsertEvent(primary, {
    ...timed('CS 101 Lecture', monday, 10, 11, { id: series }),
    recurrence: [
      'RRULE:FREQ=WEEKLY;BYDAY=MO,WE;COUNT=20',
      `EXDATE;TZID=${DEMO_TIME_ZONE}:${cancelledWeek.map(local).join(',')}`,
    ],
  });
  const movedFrom = monday.add({ weeks: 1, days: 2 });
  const movedTo = monday.add({ weeks: 1, days: 3 });
  control.userPatchEvent(
    primary,
    instanceId(series, {
      date: movedFrom,
      start: movedFrom.toZonedDateTime({ timeZone: DEMO_TIME_ZONE, plainTime: { hour: 10 } }),
    }),
    {
      start: { dateTime: at(movedTo, 14), timeZone: DEMO_TIME_ZONE },
      end: { dateTime: at(movedTo, 15), timeZone: DEMO_TIME_ZONE },
    },
  );
  for (let week = 0; week < 10; week++) {
    control.userInsertEvent(
      primary,
      timed('Shift at the library', monday.add({ weeks: week, days: 1 }), 17, 21),
    );
    control.userInsertEvent(
      primary,
      timed('Shift at the library', monday.add({ weeks: week, days: 5 }), 9, 13),
    );
  }
  const trip = monday.add({ days: 11 });
  control.userInsertEvent(primary, {
    summary: 'Campus career fair',
    start: { date: trip.toString() },
    end: { date: trip.add({ days: 1 }).toString() },
  });
  control.userInsertEvent(
    primary,
    timed('Club social (declined)', monday.add({ days: 3 }), 19, 21, {
      attendees: [{ email: DEMO_STUDENT_EMAIL, self: true, responseStatus: 'declined' }],
    }),
  );
  control.userInsertEvent(
    primary,
    timed('Reminder: library books due', monday.add({ days: 4 }), 12, 13, { transparency: 'transparent' }),
  );
  const call = monday.add({ days: 2 });
  control.userInsertEvent(primary, {
    summary: 'Call with family in Berlin',
    start: {
      dateTime: call
        .toZonedDateTime({ timeZone: 'Europe/Berlin', plainTime: { hour: 20 } })
        .toString({ timeZoneName: 'never' }),
      timeZone: 'Europe/Berlin',
    },
    end: {
      dateTime: call
        .toZonedDateTime({ timeZone: 'Europe/Berlin', plainTime: { hour: 21 } })
        .toString({ timeZoneName: 'never' }),
      timeZone: 'Europe/Berlin',
    },
  });

  const work = control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Work', timeZone: DEMO_TIME_ZONE });
  control.userInsertEvent(work, timed('Team meeting', monday.add({ days: 1 }), 14, 15));
  const birthdays = control.addCalendar(DEMO_STUDENT_EMAIL, {
    summary: 'Birthdays',
    selected: false,
    hidden: true,
  });
  control.userInsertEvent(birthdays, {
    summary: "Sam's birthday",
    start: { date: monday.add({ days: 9 }).toString() },
    end: { date: monday.add({ days: 10 }).toString() },
  });
  const lab = control.addCalendar(DEMO_STUDENT_EMAIL, {
    summary: 'Lab group',
    accessRole: 'freeBusyReader',
    owner: 'lab-lead@example.edu',
  });
  control.userInsertEvent(lab, timed('Lab session', monday.add({ days: 3 }), 13, 16));
}
