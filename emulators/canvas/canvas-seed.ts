import { Temporal } from 'temporal-polyfill';
import type { CanvasControl } from './canvas-control.ts';
import { type SyllabusStyle, syllabusHtml } from './canvas-syllabi.ts';

const ZONE = 'America/Chicago';
const TERM_WEEKS = 16;

const COURSES: Array<{ name: string; code: string; style: SyllabusStyle; topics: string[] }> = [
  {
    name: 'Introduction to Computer Science',
    code: 'CS 101',
    style: 'table',
    topics: ['Values and types', 'Functions', 'Loops', 'Lists', 'Recursion', 'Objects', 'Testing', 'Sorting'],
  },
  {
    name: 'Calculus II',
    code: 'MATH 152',
    style: 'list',
    topics: [
      'Integration by parts',
      'Trig substitution',
      'Partial fractions',
      'Improper integrals',
      'Series',
    ],
  },
  {
    name: 'Composition I',
    code: 'ENG 101',
    style: 'prose',
    topics: ['The essay'],
  },
  {
    name: 'General Chemistry',
    code: 'CHEM 110',
    style: 'table',
    topics: ['Atoms', 'Moles', 'Reactions', 'Gases', 'Thermochemistry', 'Bonding', 'Solutions'],
  },
  {
    name: 'World History',
    code: 'HIST 120',
    style: 'list',
    topics: ['Early civilizations', 'Classical empires', 'Trade networks', 'Revolutions', 'Modern world'],
  },
];

/**
 * The demo student in five courses of the current term (America/Chicago), ~80 items:
 * weekly homework due at end of day (all-day), timed quizzes and labs, graded and ungraded
 * discussions, course events (timed and all-day), a per-student extension, submitted, graded
 * and missing work, an undated and an unpublished assignment, a practice quiz, a course of
 * last term, a date-restricted course, and a syllabus in HTML per course (a midterm, a final,
 * a holiday; the chemistry midterm is also a Canvas quiz). Deterministic for a given `now`.
 */
export function seedDemoCanvas(
  control: CanvasControl,
  nowMs: number,
): { userId: number; token: string; courseIds: number[] } {
  const userId = control.createUser('Sam Student', ZONE);
  const token = control.issueToken(userId);
  const today = Temporal.Instant.fromEpochMilliseconds(nowMs).toZonedDateTimeISO(ZONE).toPlainDate();
  // The term began on the Monday about 14 weeks ago and runs 16 weeks and a few days.
  const termStart = today.subtract({ weeks: 14 }).subtract({ days: today.dayOfWeek - 1 });
  const termEnd = termStart.add({ weeks: TERM_WEEKS, days: 4 });
  const instant = (d: Temporal.PlainDate, hour = 0, minute = 0, second = 0) =>
    d.toZonedDateTime({ timeZone: ZONE, plainTime: { hour, minute, second } }).toInstant().toString();
  // "End of day" in Canvas is 23:59:59 in the teacher's zone: an all-day deadline.
  const endOfDay = (days: number) => instant(today.add({ days }), 23, 59, 59);
  const at = (days: number, hour: number, minute = 0) => instant(today.add({ days }), hour, minute);
  const term = {
    name: `${termStart.month >= 8 ? 'Fall' : termStart.month >= 5 ? 'Summer' : 'Spring'} ${termStart.year}`,
    startAt: instant(termStart),
    endAt: instant(termEnd, 23, 59, 59),
  };

  const midterms: Temporal.PlainDate[] = [];
  const courses = COURSES.map((c, i) => {
    const syllabus = syllabusHtml({
      code: c.code,
      name: c.name,
      termStart,
      weeks: TERM_WEEKS,
      topics: c.topics,
      meetingOffset: i % 3,
      style: c.style,
    });
    const id = control.createCourse({
      name: c.name,
      courseCode: c.code,
      timeZone: ZONE,
      term,
      syllabusBody: syllabus.html,
      syllabusDates: syllabus.dates,
    });
    const midterm = syllabus.dates.find((d) => d.title.startsWith('Midterm'));
    if (midterm) midterms.push(Temporal.PlainDate.from(midterm.date));
    control.enroll(userId, id);
    return id;
  });
  const lastTerm = control.createCourse({
    name: 'Calculus I',
    courseCode: 'MATH 151',
    timeZone: ZONE,
    term: {
      name: 'Spring (last)',
      startAt: instant(termStart.subtract({ weeks: 30 })),
      endAt: instant(termStart.subtract({ weeks: 14 })),
    },
  });
  control.enroll(userId, lastTerm, { state: 'completed' });
  control.addAssignment(lastTerm, { name: 'Final exam review', dueAt: endOfDay(-120), pointsPossible: 10 });
  const restricted = control.createCourse({
    name: 'Summer Bridge',
    courseCode: 'BRDG 001',
    restricted: true,
    timeZone: ZONE,
  });
  control.enroll(userId, restricted);
  control.addAssignment(restricted, { name: 'Bridge reflection', dueAt: endOfDay(3), pointsPossible: 5 });

  courses.forEach((courseId, c) => {
    // Weekly homework, due at end of day: two in the past, four ahead.
    for (let week = 0; week < 6; week++) {
      const hw = control.addAssignment(courseId, {
        name: `Homework ${week + 1}`,
        dueAt: endOfDay((week - 2) * 7 + c + 1),
        pointsPossible: 10,
      });
      if (week === 0) control.submit(userId, hw, 'graded');
      // Homework 2 is submitted in two courses and missing in the other three.
      if (week === 1 && c < 2) control.submit(userId, hw);
    }
    for (let n = 0; n < 3; n++) {
      const quiz = control.addQuiz(courseId, {
        title: `Quiz ${n + 1}`,
        dueAt: at(n * 14 - 6 + c, 9),
        pointsPossible: 20,
      });
      if (n === 0 && quiz.assignmentId !== null) control.submit(userId, quiz.assignmentId, 'graded');
    }
    for (let n = 0; n < 2; n++)
      control.addAssignment(courseId, {
        name: `Lab report ${n + 1}`,
        dueAt: at(n * 10 + 4 + c, 17, 30),
        pointsPossible: 25,
        submissionTypes: ['online_upload', 'online_text_entry'],
      });
    control.addDiscussion(courseId, {
      title: 'Discussion: this week’s reading',
      graded: true,
      dueAt: at(5 + c, 12),
      pointsPossible: 5,
    });
    control.addDiscussion(courseId, { title: 'Introduce yourself' });
    control.addCalendarEvent(courseId, {
      title: 'Midterm review session',
      startAt: at(8 + c, 18),
      endAt: at(8 + c, 19, 30),
      allDay: false,
      allDayDate: null,
    });
  });

  const [cs, math, eng, chem, hist] = courses;
  if (cs !== undefined) {
    const project = control.addAssignment(cs, {
      name: 'Final project',
      dueAt: endOfDay(15),
      pointsPossible: 100,
    });
    // This student has an extension: they see only their own date.
    control.setOverride(project, userId, endOfDay(19));
    control.addDiscussion(cs, {
      title: 'Project team formation',
      todoDate: at(2, 23, 59),
    });
  }
  // The chemistry midterm is also a Canvas quiz on the syllabus's date: the quiz is the one
  // item the student sees for it (the syllabus line is dropped as the same thing).
  const chemMidterm = midterms[3];
  if (chem !== undefined && chemMidterm !== undefined)
    control.addQuiz(chem, { title: 'Midterm Exam', dueAt: instant(chemMidterm, 9), pointsPossible: 100 });
  if (math !== undefined) {
    control.addAssignment(math, { name: 'Optional practice set', dueAt: null, pointsPossible: 0 });
    control.addQuiz(math, { title: 'Practice: series tests', dueAt: null, practice: true });
    const quiz = control.addQuiz(math, { title: 'Quiz 4 (make-up)', dueAt: at(12, 10), pointsPossible: 20 });
    if (quiz.assignmentId !== null) control.setOverride(quiz.assignmentId, userId, at(13, 15));
  }
  if (eng !== undefined) {
    control.addAssignment(eng, {
      name: 'Essay 3 (draft, not yet released)',
      dueAt: endOfDay(20),
      pointsPossible: 50,
      published: false,
    });
    control.addAssignment(eng, { name: 'Research paper', dueAt: endOfDay(16), pointsPossible: 100 });
    control.addDiscussion(eng, { title: 'Peer review pairs', todoDate: at(6, 9) });
  }
  // All-day course events carry Canvas's own local date, which differs from the UTC date.
  for (const [courseId, days, title] of [
    [eng, 10, 'No class: reading day'],
    [chem, 3, 'Lab safety certification due at the front desk'],
  ] as const) {
    if (courseId === undefined) continue;
    const day = today.add({ days });
    control.addCalendarEvent(courseId, {
      title,
      startAt: instant(day),
      endAt: instant(day),
      allDay: true,
      allDayDate: day.toString(),
    });
  }
  if (hist !== undefined)
    control.addCalendarEvent(hist, {
      title: 'Museum field trip',
      startAt: at(11, 9),
      endAt: at(11, 15),
      allDay: false,
      allDayDate: null,
    });
  return { userId, token, courseIds: courses };
}
