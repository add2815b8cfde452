import { describe, expect, it } from 'vitest';
import { demoOf, CANVAS_NOW as NOW, useCanvasEmulator } from '../support/canvas.ts';

const emulator = useCanvasEmulator({ per: 'file' });
const demo = () => demoOf(emulator);

describe('demo seed', () => {
  it('puts the student in five courses of the current term, plus a past and a restricted one', () => {
    const { state } = emulator.control;
    const courses = state.coursesOf(demo().userId);
    expect(state.openCoursesOf(demo().userId).map((c) => c.id)).toEqual(demo().courseIds);
    expect(demo().courseIds).toHaveLength(5);
    expect(courses.filter((c) => c.restricted)).toHaveLength(1);
    for (const id of demo().courseIds) {
      const course = state.courses.get(id);
      expect(course?.term?.name).toBe('Fall 2026');
      expect(Date.parse(course?.term?.startAt ?? '')).toBeLessThan(NOW);
      expect(Date.parse(course?.term?.endAt ?? '')).toBeGreaterThan(NOW);
    }
    expect(state.users.get(demo().userId)?.timeZone).toBe('America/Chicago');
  });

  it('has about 80 items of every kind the sync must handle', () => {
    const { state } = emulator.control;
    const total =
      state.assignments.size + state.calendarEvents.size + state.quizzes.size + state.discussions.size;
    expect(total).toBeGreaterThanOrEqual(75);
    const items = emulator.control.expectedDueItems(demo().userId);
    const kinds = new Set(items.map((i) => i.kind));
    expect([...kinds].sort()).toEqual(['assignment', 'calendar_event', 'discussion', 'quiz', 'syllabus']);
    expect(items.some((i) => i.allDay && i.kind === 'assignment')).toBe(true);
    expect(items.some((i) => !i.allDay && i.kind === 'quiz')).toBe(true);
    expect(items.some((i) => i.allDay && i.kind === 'calendar_event')).toBe(true);
    expect(items.filter((i) => i.dueAt === null)).toHaveLength(1);
    expect(items.some((i) => i.submitted)).toBe(true);
    expect([...state.discussions.values()].some((d) => d.assignmentId === null)).toBe(true);
    expect([...state.assignments.values()].some((a) => !a.published)).toBe(true);
  });

  it('gives each course an HTML syllabus with dated weeks, a midterm and a holiday', () => {
    for (const id of demo().courseIds) {
      const html = emulator.control.state.courses.get(id)?.syllabusBody ?? '';
      expect(html).toMatch(/^<h2>/);
      expect(html).toMatch(/Midterm( \(in class\))?: (Sep|Oct|Nov) \d{1,2}/);
      expect(html).toContain('No class — Thanksgiving, Nov 26');
    }
    const bodies = demo().courseIds.map((id) => emulator.control.state.courses.get(id)?.syllabusBody ?? '');
    expect(bodies.some((b) => b.includes('<table'))).toBe(true);
    expect(bodies.some((b) => /<li>Week 3 \((Sep) \d{1,2}\)/.test(b))).toBe(true);
  });
});

describe('expectedDueItems', () => {
  it('lists published, visible work once per course and assignment with the student’s own dates', () => {
    const { state } = emulator.control;
    const userId = demo().userId;
    const items = emulator.control.expectedDueItems(userId);
    expect(new Set(items.map((i) => `${i.courseId}:${i.id}`)).size).toBe(items.length);
    // A quiz is its assignment: listed once, as a quiz, under the assignment's id.
    const quizzes = [...state.quizzes.values()].filter(
      (q) => q.assignmentId !== null && demo().courseIds.includes(q.courseId),
    );
    for (const q of quizzes) expect(items.find((i) => i.id === String(q.assignmentId))?.kind).toBe('quiz');
    expect(items.some((i) => i.title.startsWith('Essay 3'))).toBe(false);
    expect(items.some((i) => i.title === 'Bridge reflection' || i.title === 'Final exam review')).toBe(false);
    const project = items.find((i) => i.title === 'Final project');
    const assignment = [...state.assignments.values()].find((a) => a.name === 'Final project');
    expect(project?.dueAt).toBe(assignment?.overrides.get(userId));
    expect(project?.dueAt).not.toBe(assignment?.dueAt);
    expect(project?.allDay).toBe(true);
    expect(project?.allDayDate).toBe('2026-12-20');
  });
});
