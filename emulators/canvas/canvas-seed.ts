import { Temporal } from 'temporal-polyfill';
import type { CanvasControl } from './canvas-control.ts';

const ZONE = 'America/Chicago';

/**
 * The demo student: five courses of the current term and one whose dates exclude them,
 * assignments, quizzes and graded discussions due over the coming weeks (end-of-day and
 * timed), an override, submitted work, an undated assignment and course calendar events.
 * Deterministic for a given `now`.
 */
export function seedDemoCanvas(
  control: CanvasControl,
  nowMs: number,
): { userId: number; token: string; courseIds: number[] } {
  const userId = control.createUser('Sam Student', ZONE);
  const token = control.issueToken(userId);
  const today = Temporal.Instant.fromEpochMilliseconds(nowMs).toZonedDateTimeISO(ZONE).toPlainDate();
  // "End of day" in Canvas is 23:59:59 in the teacher's zone.
  const endOfDay = (days: number) =>
    today
      .add({ days })
      .toZonedDateTime({ timeZone: ZONE, plainTime: { hour: 23, minute: 59, second: 59 } })
      .toInstant()
      .toString();
  const at = (days: number, hour: number) =>
    today.add({ days }).toZonedDateTime({ timeZone: ZONE, plainTime: { hour } }).toInstant().toString();

  const courses = [
    { name: 'Introduction to Computer Science', code: 'CS 101' },
    { name: 'Calculus II', code: 'MATH 152' },
    { name: 'Composition I', code: 'ENG 101' },
    { name: 'General Chemistry', code: 'CHEM 110' },
    { name: 'World History', code: 'HIST 120' },
  ].map((c) => {
    const id = control.createCourse({ name: c.name, courseCode: c.code });
    control.enroll(userId, id);
    return id;
  });
  const restricted = control.createCourse({
    name: 'Summer Bridge',
    courseCode: 'BRDG 001',
    restricted: true,
  });
  control.enroll(userId, restricted);

  courses.forEach((courseId, c) => {
    for (let week = 0; week < 6; week++) {
      const day = 2 + c + week * 7;
      const hw = control.addAssignment(courseId, {
        name: `Homework ${week + 1}`,
        dueAt: endOfDay(day),
        pointsPossible: 10,
      });
      if (week === 0 && c < 2) control.submit(userId, hw);
      if (week % 2 === 0)
        control.addAssignment(courseId, {
          name: `Quiz ${week / 2 + 1}`,
          dueAt: at(day + 1, 9),
          pointsPossible: 20,
          submissionTypes: ['online_quiz'],
        });
    }
    control.addAssignment(courseId, {
      name: 'Discussion: first week reflections',
      dueAt: at(5 + c, 12),
      pointsPossible: 5,
      submissionTypes: ['discussion_topic'],
    });
    control.addCalendarEvent(courseId, {
      title: 'Midterm exam',
      startAt: at(20 + c, 14),
      endAt: at(20 + c, 16),
      allDay: false,
      allDayDate: null,
    });
  });
  const [cs, math, eng] = courses;
  if (cs !== undefined) {
    const project = control.addAssignment(cs, {
      name: 'Final project',
      dueAt: endOfDay(40),
      pointsPossible: 100,
    });
    // This student has an extension: they see only their own date.
    control.setOverride(project, userId, endOfDay(44));
  }
  if (math !== undefined)
    control.addAssignment(math, { name: 'Optional practice set', dueAt: null, pointsPossible: 0 });
  if (eng !== undefined) {
    const holiday = today.add({ days: 10 });
    control.addCalendarEvent(eng, {
      title: 'No class: reading day',
      startAt: holiday.toZonedDateTime({ timeZone: ZONE }).toInstant().toString(),
      endAt: holiday.toZonedDateTime({ timeZone: ZONE }).toInstant().toString(),
      allDay: true,
      allDayDate: holiday.toString(),
    });
  }
  return { userId, token, courseIds: courses };
}
