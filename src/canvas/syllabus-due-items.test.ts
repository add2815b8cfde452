import { describe, expect, it } from 'vitest';
import type { SourceItem } from '../sync/source-item.ts';
import { meaningfulWords, type SyllabusCourse, syllabusDueItems } from './syllabus-due-items.ts';

const course = (syllabusBody: string | null): SyllabusCourse => ({
  courseId: '7',
  courseName: 'Statistics',
  courseCode: 'STAT 200',
  syllabusBody,
  term: { startAt: '2026-08-24T05:00:00Z', endAt: '2026-12-19T05:59:59Z' },
  timeZone: 'America/Chicago',
  syllabusUrl: 'https://canvas.example.edu/courses/7/assignments/syllabus',
});
const canvasItem = (over: Partial<SourceItem>): SourceItem => ({
  key: 'assignment:7:1',
  kind: 'quiz',
  courseId: '7',
  courseName: 'Statistics',
  courseCode: 'STAT 200',
  title: 'Midterm Exam',
  dueAt: '2026-10-12T14:00:00.000Z',
  allDay: false,
  allDayDate: null,
  pointsPossible: 100,
  submitted: false,
  missing: false,
  htmlUrl: 'https://canvas.example.edu/courses/7/assignments/1',
  ...over,
});
const SYLLABUS = `<ul>
  <li>Midterm: Oct 12</li>
  <li>Final exam: Dec 9</li>
  <li>Quiz 2: Oct 20</li>
  <li>No class — Thanksgiving, Nov 26</li>
</ul>`;
const REFERENCE = new Date('2026-12-01T15:00:00Z');
const titles = (items: SourceItem[]) => items.map((i) => `${i.allDayDate} ${i.title}`);

describe('syllabusDueItems', () => {
  it('gives exams and deadlines as all-day syllabus items, and no holiday', () => {
    const items = syllabusDueItems(course(SYLLABUS), [], REFERENCE);
    expect(titles(items)).toEqual(['2026-10-12 Midterm', '2026-10-20 Quiz 2', '2026-12-09 Final exam']);
    expect(items[0]).toMatchObject({
      key: 'syllabus:7:2026-10-12:midterm',
      kind: 'syllabus',
      dueAt: '2026-10-13T04:59:59.000Z',
      htmlUrl: 'https://canvas.example.edu/courses/7/assignments/syllabus',
    });
  });

  it('drops a date the course already has as a Canvas item the same local day sharing a word', () => {
    const items = syllabusDueItems(course(SYLLABUS), [canvasItem({})], REFERENCE);
    expect(titles(items)).toEqual(['2026-10-20 Quiz 2', '2026-12-09 Final exam']);
  });

  it('keeps it when the Canvas item is another day, another course, or shares only filler', () => {
    const others = [
      // 23:30 on Oct 11 in Chicago is 04:30 UTC on Oct 12: the local day decides.
      canvasItem({ dueAt: '2026-10-12T04:30:00.000Z' }),
      canvasItem({ courseId: '8' }),
      canvasItem({ title: 'Final project', dueAt: '2026-12-10T05:59:59.000Z', allDayDate: '2026-12-09' }),
      canvasItem({ title: 'Quiz 3', dueAt: '2026-10-20T15:00:00.000Z' }),
    ];
    expect(titles(syllabusDueItems(course(SYLLABUS), others, REFERENCE))).toEqual([
      '2026-10-12 Midterm',
      '2026-10-20 Quiz 2',
      '2026-12-09 Final exam',
    ]);
  });

  it('matches an all-day Canvas item by its all-day date', () => {
    const final = canvasItem({
      title: 'Final Exam (cumulative)',
      dueAt: '2026-12-10T05:59:59.000Z',
      allDay: true,
      allDayDate: '2026-12-09',
    });
    expect(titles(syllabusDueItems(course(SYLLABUS), [final], REFERENCE))).toEqual([
      '2026-10-12 Midterm',
      '2026-10-20 Quiz 2',
    ]);
  });

  it('gives nothing for a course without a syllabus', () => {
    expect(syllabusDueItems(course(null), [], REFERENCE)).toEqual([]);
    expect(syllabusDueItems(course('<p></p>'), [], REFERENCE)).toEqual([]);
  });
});

describe('meaningfulWords', () => {
  it('lower-cases, drops accents, short words and filler, and joins a number to its word', () => {
    expect([...meaningfulWords('Final Exam: Résumé review of Quiz 2')].sort()).toEqual([
      'exam',
      'quiz 2',
      'resume',
      'review',
    ]);
    expect([...meaningfulWords('HW 3 due in class')]).toEqual(['hw 3']);
    expect([...meaningfulWords('Due in class')]).toEqual([]);
  });
});
