import { Temporal } from 'temporal-polyfill';
import type { GoogleEmulatorControl } from './emulator-control.ts';

export const DEMO_STUDENT_EMAIL = 'student@example.edu';
export const DEMO_TIME_ZONE = 'America/Chicago';

/**
 * A student's Google Calendar for the demo, relative to `now`: weekly lectures (one week
 * cancelled), work shifts, an all-day event, a declined invitation, a transparent event, an
 * event set in another zone, a second selected calendar, a hidden unselected one, and a lab
 * group calendar the student can only see free/busy of.
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

  // The emulator stores recurring events as their instances (singleEvents=true view).
  const series = 'lecturecs101series';
  for (let week = 0; week < 10; week++) {
    for (const weekday of [0, 2]) {
      const day = monday.add({ weeks: week, days: weekday });
      const id = `${series}${day.toString().replace(/-/g, '')}`;
      control.userInsertEvent(
        primary,
        timed('CS 101 Lecture', day, 10, 11, { id, recurringEventId: series }),
      );
      if (week === 3 && weekday === 2) control.userDeleteEvent(primary, id);
    }
  }
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
