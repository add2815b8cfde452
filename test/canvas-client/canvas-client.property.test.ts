import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { expect, it } from 'vitest';
import { syllabusHtml } from '../../emulators/canvas/canvas-syllabi.ts';
import { createCanvasClient } from '../../src/canvas/canvas-client.ts';
import { CANVAS_NOW as NOW, useCanvasEmulator } from '../support/canvas.ts';

const ZONES = ['America/Chicago', 'America/New_York', 'Asia/Tokyo', 'Europe/Berlin'] as const;

const emulator = useCanvasEmulator({ seed: 'empty', per: 'file' });

const due = fc.option(
  fc.record({
    day: fc.integer({ min: -150, max: 150 }),
    endOfDay: fc.boolean(),
    hour: fc.integer({ min: 0, max: 23 }),
  }),
  { nil: null, freq: 6 },
);
const item = fc.record({
  kind: fc.constantFrom(
    'assignment',
    'assignment',
    'quiz',
    'graded_discussion',
    'ungraded_discussion',
    'event',
    'practice_quiz',
  ),
  due,
  published: fc.integer({ min: 0, max: 99 }).map((n) => n < 85),
  submitted: fc.constantFrom(undefined, 'submitted' as const, 'graded' as const),
  override: fc.option(due, { nil: undefined, freq: 4 }),
  deleted: fc.integer({ min: 0, max: 99 }).map((n) => n < 10),
});
const course = fc.record({
  zone: fc.constantFrom(...ZONES),
  withTerm: fc.boolean(),
  enrollment: fc.constantFrom('active', 'active', 'active', 'completed', 'restricted'),
  items: fc.array(item, { maxLength: 8 }),
  syllabus: fc.constantFrom('none', 'none', 'table', 'list', 'prose'),
  // A Canvas quiz on the syllabus's midterm day: the syllabus line must give way to it.
  midtermQuiz: fc.boolean(),
  hiddenAssignments: fc.integer({ min: 0, max: 99 }).map((n) => n < 10),
});
const world = fc.record({
  courses: fc.array(course, { minLength: 1, maxLength: 12 }),
  // Mostly small pages, so that listings have later pages to break.
  perPage: fc.oneof(
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 1, max: 2 }),
    fc.integer({ min: 1, max: 100 }),
  ),
  attempts: fc.integer({ min: 2, max: 4 }),
  // A later page of one listing failing `count` times in a row: past the client's tries, the
  // listing breaks halfway.
  brokenPage: fc.option(
    fc.record({
      listing: fc.constantFrom('planner', 'assignments', 'calendar'),
      count: fc.integer({ min: 1, max: 8 }),
    }),
    { nil: undefined, freq: 2 },
  ),
  faults: fc.record({
    seed: fc.integer(),
    throttleRate: fc.double({ min: 0, max: 0.15, noNaN: true }),
    serverErrorRate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  }),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

/** Builds a student's Canvas from the model through the control API, as teachers would. */
function build(model: World): { userId: number; token: string } {
  const c = emulator.control;
  const userId = c.createUser('Prop Student', 'America/Chicago');
  const classmate = c.createUser('Classmate', 'America/Chicago');
  const token = c.issueToken(userId);
  for (const spec of model.courses) {
    const zone = spec.zone;
    const at = (d: { day: number; endOfDay: boolean; hour: number } | null) => {
      if (d === null) return null;
      const date = Temporal.Instant.fromEpochMilliseconds(NOW)
        .toZonedDateTimeISO(zone)
        .toPlainDate()
        .add({ days: d.day });
      const time = d.endOfDay ? { hour: 23, minute: 59, second: 59 } : { hour: d.hour };
      return date.toZonedDateTime({ timeZone: zone, plainTime: time }).toInstant().toString();
    };
    const courseId = c.createCourse({
      name: 'Course',
      courseCode: 'C',
      timeZone: zone,
      restricted: spec.enrollment === 'restricted',
      ...(spec.withTerm
        ? {
            term: {
              name: 'Term',
              startAt: new Date(NOW - 100 * 86_400_000).toISOString(),
              endAt: new Date(NOW + 40 * 86_400_000).toISOString(),
            },
          }
        : {}),
    });
    c.enroll(userId, courseId, { state: spec.enrollment === 'completed' ? 'completed' : 'active' });
    if (spec.syllabus !== 'none') {
      const termStart = Temporal.Instant.fromEpochMilliseconds(NOW - 100 * 86_400_000)
        .toZonedDateTimeISO(zone)
        .toPlainDate();
      const syllabus = syllabusHtml({
        code: 'C',
        name: 'Course',
        termStart,
        weeks: 16,
        topics: ['Topic'],
        meetingOffset: 1,
        style: spec.syllabus,
      });
      c.setSyllabus(courseId, syllabus.html, syllabus.dates);
      const midterm = syllabus.dates.find((d) => d.title.startsWith('Midterm'));
      if (spec.midtermQuiz && midterm)
        c.addQuiz(courseId, {
          title: 'Midterm Exam',
          dueAt: Temporal.PlainDate.from(midterm.date)
            .toZonedDateTime({ timeZone: zone, plainTime: { hour: 9 } })
            .toInstant()
            .toString(),
        });
    }
    if (spec.hiddenAssignments) c.hideTab(courseId, 'assignments');
    c.enroll(classmate, courseId);
    for (const it of spec.items) {
      const dueAt = at(it.due);
      let assignmentId: number | null = null;
      let remove = () => {};
      if (it.kind === 'event') {
        const start = dueAt ?? new Date(NOW).toISOString();
        const allDayDate = it.due?.endOfDay
          ? Temporal.Instant.from(start).toZonedDateTimeISO(zone).toPlainDate().toString()
          : null;
        const id = c.addCalendarEvent(courseId, {
          title: 'Event',
          startAt: start,
          endAt: start,
          allDay: allDayDate !== null,
          allDayDate,
        });
        remove = () => c.deleteCalendarEvent(id);
      } else if (it.kind === 'quiz' || it.kind === 'practice_quiz') {
        const q = c.addQuiz(courseId, {
          title: 'Quiz',
          dueAt,
          published: it.published,
          practice: it.kind === 'practice_quiz',
        });
        assignmentId = q.assignmentId;
        remove = () => c.deleteQuiz(q.id);
      } else if (it.kind === 'graded_discussion' || it.kind === 'ungraded_discussion') {
        const graded = it.kind === 'graded_discussion';
        const d = c.addDiscussion(courseId, {
          title: 'Talk',
          graded,
          dueAt,
          todoDate: graded ? null : dueAt,
          published: it.published,
        });
        assignmentId = d.assignmentId;
        remove = () => c.deleteDiscussion(d.id);
      } else {
        assignmentId = c.addAssignment(courseId, { name: 'Work', dueAt, published: it.published });
        remove = () => c.deleteAssignment(assignmentId ?? 0);
      }
      if (assignmentId !== null) {
        if (it.submitted) c.submit(userId, assignmentId, it.submitted);
        if (it.override !== undefined) c.setOverride(assignmentId, userId, at(it.override));
        // Another student's extension must never show in this student's list.
        c.setOverride(assignmentId, classmate, at({ day: 200, endOfDay: false, hour: 9 }));
      }
      if (it.deleted) remove();
    }
  }
  return { userId, token };
}

it('reads exactly the emulator’s truth under random throttling and 5xx, or says the read is incomplete', async () => {
  let completeRuns = 0;
  let runs = 0;
  let incompleteRuns = 0;
  await fc.assert(
    fc.asyncProperty(world, async (model) => {
      runs += 1;
      const { userId, token } = build(model);
      const truth = emulator.control
        .expectedDueItems(userId)
        .map(
          (t) =>
            `${t.source}:${t.courseId}:${t.id} ${t.dueAt ? Date.parse(t.dueAt) : 'undated'} ${t.allDayDate} submitted=${t.submitted} missing=${t.missing}`,
        )
        .sort();
      emulator.control.randomFaults(model.faults);
      if (model.brokenPage) {
        const prefix = {
          planner: '/api/v1/planner/items',
          assignments: '/api/v1/courses/',
          calendar: '/api/v1/calendar_events',
        }[model.brokenPage.listing];
        emulator.control.failPage(prefix, { status: 500, count: model.brokenPage.count });
      }
      try {
        const read = await createCanvasClient({
          baseUrl: emulator.url,
          token,
          now: () => NOW,
          perPage: model.perPage,
          attempts: model.attempts,
          sleep: async () => {},
        }).readDueItems();
        if (!read.complete) {
          incompleteRuns += 1;
          expect(['incomplete', 'unavailable', 'rate_limited']).toContain(read.failure.code);
          return;
        }
        completeRuns += 1;
        const got = [
          ...read.items.map(
            (i) =>
              `${i.key} ${Date.parse(i.dueAt)} ${i.allDayDate} submitted=${i.submitted} missing=${i.missing}`,
          ),
          ...read.undated.map(
            (i) => `${i.key} undated ${i.allDayDate} submitted=${i.submitted} missing=${i.missing}`,
          ),
        ].sort();
        expect(got).toEqual(truth);
      } finally {
        // A scripted fault this read did not reach must not leak into the next run.
        emulator.control.clearFaults();
      }
    }),
    { numRuns: 100 },
  );
  // Faults are rare enough that most reads finish: the property is not met by failing every read.
  expect(completeRuns).toBeGreaterThan(runs / 4);
  expect(incompleteRuns).toBeGreaterThan(0);
}, 120_000);
