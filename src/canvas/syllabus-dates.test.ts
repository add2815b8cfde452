import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractSyllabusDates, type SyllabusContext, slugOf, syllabusSourceItems } from './syllabus-dates.ts';

// A Fall term in Chicago that crosses the new year: Aug 24, 2026 – Jan 31, 2027 (local).
const fall: SyllabusContext = {
  term: { startAt: '2026-08-24T05:00:00Z', endAt: '2027-01-31T06:00:00Z' },
  timeZone: 'America/Chicago',
  reference: new Date('2026-09-01T15:00:00Z'),
};
// A Spring term starting in January.
const spring: SyllabusContext = {
  term: { startAt: '2027-01-11T06:00:00Z', endAt: '2027-05-14T05:00:00Z' },
  timeZone: 'America/Chicago',
  reference: new Date('2026-12-01T15:00:00Z'),
};

const brief = (html: string, context = fall) =>
  extractSyllabusDates(html, context).map(({ title, date, time, endDate, kind }) => ({
    title,
    date,
    ...(time ? { time } : {}),
    ...(endDate ? { endDate } : {}),
    kind,
  }));

describe('extractSyllabusDates', () => {
  it('reads a schedule table by its Due column, skipping lecture-only rows but not holidays', () => {
    const html = `<table><thead><tr><th>Week</th><th>Date</th><th>Topic</th><th>Due</th></tr></thead><tbody>
      <tr><td>1</td><td>Sep 1</td><td>Introduction</td><td></td></tr>
      <tr><td>3</td><td>Sep 15</td><td>Probability</td><td>Quiz 2<br>HW 3 due Sep 18 at 5pm</td></tr>
      <tr><td>12</td><td>Nov 26</td><td>No class — Thanksgiving</td><td></td></tr></tbody></table>`;
    expect(brief(html)).toEqual([
      { title: 'Quiz 2', date: '2026-09-15', kind: 'exam' },
      { title: 'HW 3', date: '2026-09-18', time: '17:00', kind: 'deadline' },
      { title: 'No class — Thanksgiving', date: '2026-11-26', kind: 'holiday' },
    ]);
    expect(extractSyllabusDates(html, fall)[0]?.sourceText).toBe(
      '3 | Sep 15 | Probability | Quiz 2, HW 3 due Sep 18 at 5pm',
    );
  });

  it('reads a table without headings, week labels dropped from the title', () => {
    const html =
      '<table><tr><td>Week 3</td><td>Sep 15</td><td>Quiz 2</td></tr><tr><td>Week 4</td><td>Sep 22</td><td>Essay 1 due</td></tr></table>';
    expect(brief(html)).toEqual([
      { title: 'Quiz 2', date: '2026-09-15', kind: 'exam' },
      { title: 'Essay 1', date: '2026-09-22', kind: 'deadline' },
    ]);
  });

  it('keeps only exams, deadlines and holidays from a week-by-week schedule, not lecture topics', () => {
    const html = `<table><thead><tr><th>Week</th><th>Date</th><th>Topic</th><th>Notes</th></tr></thead>
      <tr><td>Week 1</td><td>Aug 25</td><td>Descriptive statistics</td><td></td></tr>
      <tr><td>Week 2</td><td>Sep 1</td><td>Hypothesis tests</td><td></td></tr>
      <tr><td>Week 8</td><td>Oct 13</td><td>Probability</td><td><strong>Midterm: Oct 13</strong></td></tr></table>
      <ul><li>Week 3 (Sep 8): Random variables</li><li>Week 4 (Sep 15): Project proposal due</li></ul>
      <p><em>No class — Thanksgiving, Nov 26.</em></p>`;
    expect(brief(html)).toEqual([
      { title: 'Project proposal', date: '2026-09-15', kind: 'deadline' },
      { title: 'Midterm', date: '2026-10-13', kind: 'exam' },
      { title: 'No class — Thanksgiving', date: '2026-11-26', kind: 'holiday' },
    ]);
  });

  it('reads lists and paragraphs, with times, holidays and two dates in one line', () => {
    const html = `<ul><li>Midterm: Oct 12</li><li>Final project due Dec 4 at 11:59pm</li>
      <li>No class — Thanksgiving, Nov 26</li><li>Final exam Dec 10, 9–11am; Paper due Dec 1 by midnight</li></ul>
      <p>Reading day<br>Oct 30 guest lecture</p>`;
    expect(brief(html)).toEqual([
      { title: 'Midterm', date: '2026-10-12', kind: 'exam' },
      { title: 'guest lecture', date: '2026-10-30', kind: 'event' },
      { title: 'No class — Thanksgiving', date: '2026-11-26', kind: 'holiday' },
      { title: 'Paper', date: '2026-12-01', time: '23:59', kind: 'deadline' },
      { title: 'Final project', date: '2026-12-04', time: '23:59', kind: 'deadline' },
      { title: 'Final exam', date: '2026-12-10', time: '09:00', kind: 'exam' },
    ]);
  });

  it('reads ranges: a holiday keeps its end, a bare week label gives nothing, a named weekday pins the day', () => {
    const html = `<ul><li>Week 3 (Sep 15–19)</li><li>Fall break Oct 15–16</li>
      <li>Week 5 (Sep 28 – Oct 2): quiz Thursday</li><li>Winter break Dec 21 – Jan 3</li></ul>`;
    expect(brief(html)).toEqual([
      { title: 'quiz', date: '2026-10-01', kind: 'exam' },
      { title: 'Fall break', date: '2026-10-15', endDate: '2026-10-16', kind: 'holiday' },
      { title: 'Winter break', date: '2026-12-21', endDate: '2027-01-03', kind: 'holiday' },
    ]);
  });

  it('takes years from the term, not from chrono: Spring in January, Fall across the new year', () => {
    const html =
      '<ul><li>Jan 20: Project 2 due</li><li>Dec 3: review session</li><li>Mar 9 midterm</li></ul>';
    expect(brief(html, spring)).toEqual([
      { title: 'Project 2', date: '2027-01-20', kind: 'deadline' },
      { title: 'midterm', date: '2027-03-09', kind: 'exam' },
    ]);
    // In the Fall term "Jan 20" is next January; March is outside the term and dropped.
    expect(brief(html, fall)).toEqual([
      { title: 'review session', date: '2026-12-03', kind: 'event' },
      { title: 'Project 2', date: '2027-01-20', kind: 'deadline' },
    ]);
  });

  it('drops a date whose written year lies outside the term and keeps one inside', () => {
    const html = '<p>Policy revised Jan 5, 2019</p><p>Makeup exam December 14, 2026</p>';
    expect(brief(html)).toEqual([{ title: 'Makeup exam', date: '2026-12-14', kind: 'exam' }]);
  });

  it('reads the term ends as local dates in the course zone', () => {
    // The term ends 2026-12-19T05:59:59Z, which is still Dec 18 in Chicago.
    const context = { ...fall, term: { startAt: '2026-08-24', endAt: '2026-12-19T05:59:59Z' } };
    expect(brief('<p>Dec 18 final exam</p><p>Dec 19 grades posted</p>', context)).toEqual([
      { title: 'final exam', date: '2026-12-18', kind: 'exam' },
    ]);
  });

  it('with no term, gives each date the year that puts it within six months of the reference date', () => {
    const context = { ...fall, term: null, reference: new Date('2026-11-20T15:00:00Z') };
    expect(brief('<p>Jan 20 exam</p><p>Sep 1 kickoff</p><p>May 1 picnic</p>', context)).toEqual([
      { title: 'kickoff', date: '2026-09-01', kind: 'event' },
      { title: 'exam', date: '2027-01-20', kind: 'exam' },
      { title: 'picnic', date: '2027-05-01', kind: 'event' },
    ]);
  });

  it('ignores undated lines, weekly office hours, weekday-only and relative dates, and fractions', () => {
    const html = `<h2>Course policies</h2><p>Office hours: Mondays 2–4pm, Oct 5 excepted</p>
      <p>Quiz every Friday</p><p>Homework due tomorrow</p><p>Read 1/2 of chapter 4</p><p>Room 101, 3.1–3.4</p>
      <script>var d = "Oct 3 exam";</script><style>.x{}</style><p><img alt="Oct 9 exam" src="x.png"></p>`;
    expect(extractSyllabusDates(html, fall)).toEqual([]);
  });

  it('deduplicates the same date and title found twice, and sorts by date, time and title', () => {
    const a =
      '<ul><li>Quiz 2: Sep 15</li><li>Midterm: Oct 12</li></ul><table><tr><td>Sep 15</td><td>Quiz 2</td></tr></table>';
    const b = '<table><tr><td>Sep 15</td><td>Quiz 2</td></tr></table><ul><li>Midterm: Oct 12</li></ul>';
    expect(brief(a)).toEqual([
      { title: 'Quiz 2', date: '2026-09-15', kind: 'exam' },
      { title: 'Midterm', date: '2026-10-12', kind: 'exam' },
    ]);
    expect(brief(a)).toEqual(brief(b));
  });

  it('reads nothing from an empty Canvas syllabus', () => {
    expect(extractSyllabusDates('<p></p>', fall)).toEqual([]);
    expect(extractSyllabusDates('', fall)).toEqual([]);
  });
});

describe('syllabusSourceItems', () => {
  const course = {
    courseId: '42',
    courseName: 'Statistics',
    courseCode: 'STAT 101',
    timeZone: 'America/Chicago',
    syllabusUrl: 'https://canvas.example.edu/courses/42/assignments/syllabus',
  };

  it('makes all-day items due at 23:59:59 local and timed items at their local time, in UTC', () => {
    const dates = extractSyllabusDates(
      '<ul><li>Midterm: Oct 12</li><li>Final project due Dec 4 at 11:59pm</li></ul>',
      fall,
    );
    expect(syllabusSourceItems(dates, course)).toEqual([
      {
        key: 'syllabus:42:2026-10-12:midterm',
        kind: 'syllabus',
        courseId: '42',
        courseName: 'Statistics',
        courseCode: 'STAT 101',
        title: 'Midterm',
        dueAt: '2026-10-13T04:59:59.000Z', // CDT, UTC−5
        allDay: true,
        allDayDate: '2026-10-12',
        pointsPossible: null,
        submitted: false,
        missing: false,
        htmlUrl: course.syllabusUrl,
      },
      expect.objectContaining({
        key: 'syllabus:42:2026-12-04:final-project',
        dueAt: '2026-12-05T05:59:00.000Z', // CST, UTC−6
        allDay: false,
        allDayDate: null,
      }),
    ]);
  });

  it('keeps keys stable across syncs of a reworded page, and gives non-Latin titles a hash slug', () => {
    const first = syllabusSourceItems(
      extractSyllabusDates('<p>期中考试 Oct 12</p><p>Quiz 2: Sep 15</p>', fall),
      course,
    );
    const again = syllabusSourceItems(
      extractSyllabusDates(
        '<h1>Dates</h1><table><tr><td>Sep 15</td><td>Quiz 2</td></tr></table><p>Oct 12 期中考试</p>',
        fall,
      ),
      course,
    );
    expect(again.map((i) => i.key)).toEqual(first.map((i) => i.key));
    expect(first.map((i) => i.key)).toEqual([
      'syllabus:42:2026-09-15:quiz-2',
      `syllabus:42:2026-10-12:${slugOf('期中考试')}`,
    ]);
    expect(slugOf('期中考试')).toMatch(/^t[0-9a-f]{8}$/);
    expect(slugOf('期中考试')).not.toBe(slugOf('期末考试'));
  });
});

describe('extractSyllabusDates properties', () => {
  const phrase = fc.constantFrom(
    'Midterm: Oct 12',
    'Quiz 2 Sep 15',
    'Final project due Dec 4 at 11:59pm',
    'No class — Thanksgiving, Nov 26',
    'Spring break March 9–13',
    'Week 3 (Sep 15–19): quiz Thursday',
    'Jan 20 exam',
    'Dec 28 – Jan 3 winter break',
    'Feb 29 leap day',
    'Exam 10/12/2027',
    'Policy of Jan 5, 2019',
    'Office hours Mondays',
    'Read 1/2 of it',
    '&nbsp;&amp;<',
  );
  const tag = fc.constantFrom('p', 'li', 'td', 'th', 'tr', 'table', 'ul', 'div', 'h2', 'br', 'script', 'b');
  const html = fc.array(
    fc.oneof(
      phrase,
      fc.string(),
      tag.map((t) => `<${t}>`),
      tag.map((t) => `</${t}>`),
    ),
    { maxLength: 30 },
  );
  const day = fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    max: new Date('2040-12-31T00:00:00Z'),
    noInvalidDate: true,
  });
  const term = fc.tuple(day, fc.integer({ min: 0, max: 500 })).map(([start, days]) => {
    const first = start.toISOString().slice(0, 10);
    const last = new Date(start.getTime() + days * 86_400_000).toISOString().slice(0, 10);
    return { startAt: first, endAt: last };
  });
  const zone = fc.constantFrom('America/Chicago', 'Asia/Shanghai', 'UTC', 'Pacific/Auckland');

  it('never throws on arbitrary HTML, and every date lies inside the term window', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          html.map((parts) => parts.join(' ')),
          fc.string(),
        ),
        term,
        zone,
        day,
        (body, t, timeZone, reference) => {
          const dates = extractSyllabusDates(body, { term: t, timeZone, reference });
          for (const d of dates) {
            expect(d.date >= t.startAt && d.date <= t.endAt).toBe(true);
            if (d.endDate) expect(d.endDate > d.date && d.endDate <= t.endAt).toBe(true);
            if (d.time) expect(d.time).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
            expect(d.title.length).toBeGreaterThan(0);
          }
          const sorted = [...dates].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
          expect(dates.map((d) => d.date)).toEqual(sorted.map((d) => d.date));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds every phrase of a known date inside a long term', () => {
    // A guard that the property above is not vacuous: real phrases do produce dates.
    const dates = extractSyllabusDates('<ul><li>Midterm: Oct 12</li><li>Jan 20 exam</li></ul>', {
      term: { startAt: '2026-08-01', endAt: '2027-07-31' },
      timeZone: 'UTC',
      reference: new Date('2026-08-01T00:00:00Z'),
    });
    expect(dates.map((d) => d.date)).toEqual(['2026-10-12', '2027-01-20']);
  });
});
