import { describe, expect, it } from 'vitest';
import { ControlArgumentError } from '../../emulators/canvas/canvas-control-arguments.ts';
import type { CanvasControl } from '../../emulators/canvas/index.ts';
import { enrollAda, useCanvasEmulator } from '../support/canvas.ts';

// The control API refused nothing: `addAssignment` with `title` instead of `name` made a
// nameless assignment that broke every later sync (issue 12). Every call is now checked, in
// process (ControlArgumentError naming the field) and over HTTP (400 badArguments, same text).

const emulator = useCanvasEmulator({ seed: 'empty', per: 'file' });
// Calls as plain JavaScript or a JSON body would make them, past the type checker.
const loose = () => emulator.control as unknown as Record<string, (...args: unknown[]) => unknown>;
const control = (name: string, args: unknown[]) =>
  fetch(`${emulator.url}/_emulator/${name}`, { method: 'POST', body: JSON.stringify(args) });

describe('control arguments', () => {
  it('refuses a misspelt field in process, naming the missing and the unknown one', () => {
    const { course } = enrollAda(emulator.control);
    const call = () => loose().addAssignment?.(course, { title: 'Essay', dueAt: null });
    expect(call).toThrow(ControlArgumentError);
    expect(call).toThrow(/addAssignment: assignment\.name: .*; assignment: Unrecognized key: "title"/);
    expect([...emulator.control.state.assignments.values()]).toEqual([]);
  });

  it('answers 400 badArguments over HTTP, naming the field', async () => {
    const { course } = enrollAda(emulator.control);
    const answer = await control('addAssignment', [course, { title: 'Essay', dueAt: null }]);
    expect(answer.status).toBe(400);
    const { error } = (await answer.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('badArguments');
    expect(error.message).toMatch(/^addAssignment: assignment\.name: /);
  });

  it('names a bad value, a bad date and a missing argument', () => {
    const c = loose();
    expect(() => c.createCourse?.({ name: 'X', courseCode: '' })).toThrow(
      /createCourse: course\.courseCode: /,
    );
    expect(() => c.setOverride?.(1, 2, 'next friday')).toThrow(/setOverride: dueAt: /);
    expect(() => c.submit?.(1)).toThrow(/submit: assignmentId: /);
    expect(() => c.hideTab?.(1, 'grades')).toThrow(/hideTab: tab: /);
  });

  it('refuses a call about something that does not exist, instead of doing nothing', async () => {
    const c: CanvasControl = emulator.control;
    expect(() => c.updateAssignment(424242, { name: 'Gone' })).toThrow('No assignment 424242.');
    expect(() => c.enroll(424242, 1)).toThrow('No user 424242.');
    const answer = await control('addQuiz', [424242, { title: 'Quiz', dueAt: null }]);
    expect(answer.status).toBe(400);
    expect(await answer.json()).toEqual({ error: { code: 'rejected', message: 'No course 424242.' } });
  });
});
