import { z } from 'zod';
import type { CanvasControl } from './canvas-control.ts';

/**
 * The control API's arguments, checked on every call (in process and over HTTP): a call with a
 * misspelt field (`addAssignment(c, { title })` for `name`) used to make a nameless assignment
 * that broke every later sync. Objects are strict, so an unknown key is refused too.
 */

const Id = z.number().int().positive();
const Count = z.number().int().positive();
const Text = z.string().trim().min(1);
const Instant = z.iso.datetime({ offset: true });
const LocalDate = z.iso.date();
const Status = z.number().int().min(100).max(599);
const Path = z.string().startsWith('/');
const TermSpec = z.strictObject({
  id: Id.optional(),
  name: Text,
  startAt: Instant.nullable(),
  endAt: Instant.nullable(),
});
const SyllabusFact = z.strictObject({
  title: Text,
  date: LocalDate,
  time: z
    .string()
    .regex(/^\d{2}:\d{2}$/)
    .optional(),
  holiday: z.boolean(),
});
const EventFields = {
  title: Text,
  startAt: Instant,
  endAt: Instant,
  allDay: z.boolean(),
  allDayDate: LocalDate.nullable(),
};

interface Signature {
  /** Parameter names, for messages that name the field. */
  names: string[];
  args: z.ZodType;
}
const sig = (names: string[], items: [z.ZodType, ...z.ZodType[]] | []): Signature => ({
  names,
  args: z.tuple(items as [z.ZodType, ...z.ZodType[]]),
});

type Checked = Exclude<keyof CanvasControl, 'state' | 'demo'>;

const SIGNATURES: Record<Checked, Signature> = {
  createUser: sig(['name', 'timeZone'], [Text, Text]),
  issueToken: sig(
    ['userId', 'options'],
    [Id, z.strictObject({ expiresAt: z.number().optional() }).optional()],
  ),
  revokeToken: sig(['token'], [Text]),
  revokeTokenAfter: sig(['token', 'requests'], [Text, z.number().int().nonnegative()]),
  registerDeveloperKey: sig(
    ['key'],
    [z.strictObject({ clientId: Text, clientSecret: Text, redirectUri: z.url() })],
  ),
  approveConsent: sig(
    ['authUrl', 'options'],
    [z.url(), z.strictObject({ userId: Id.optional(), deny: z.boolean().optional() }).optional()],
  ),
  createCourse: sig(
    ['course'],
    [
      z.strictObject({
        name: Text,
        courseCode: Text,
        restricted: z.boolean().optional(),
        syllabusBody: z.string().optional(),
        syllabusDates: z.array(SyllabusFact).optional(),
        timeZone: Text.optional(),
        term: TermSpec.optional(),
      }),
    ],
  ),
  setSyllabus: sig(['courseId', 'body', 'dates'], [Id, z.string().nullable(), z.array(SyllabusFact)]),
  hideTab: sig(
    ['courseId', 'tab', 'hidden'],
    [Id, z.enum(['assignments', 'quizzes', 'discussions']), z.boolean().optional()],
  ),
  enroll: sig(
    ['userId', 'courseId', 'as'],
    [
      Id,
      Id,
      z
        .strictObject({
          type: z.enum(['student', 'teacher', 'ta', 'observer', 'designer']).optional(),
          state: z.enum(['active', 'invited', 'completed']).optional(),
        })
        .optional(),
    ],
  ),
  addAssignment: sig(
    ['courseId', 'assignment'],
    [
      Id,
      z.strictObject({
        name: Text,
        dueAt: Instant.nullable(),
        pointsPossible: z.number().nonnegative().optional(),
        submissionTypes: z.array(Text).min(1).optional(),
        published: z.boolean().optional(),
      }),
    ],
  ),
  updateAssignment: sig(
    ['id', 'patch'],
    [
      Id,
      z.strictObject({
        name: Text.optional(),
        dueAt: Instant.nullable().optional(),
        pointsPossible: z.number().nonnegative().nullable().optional(),
        published: z.boolean().optional(),
      }),
    ],
  ),
  unpublishAssignment: sig(['id'], [Id]),
  deleteAssignment: sig(['id'], [Id]),
  addQuiz: sig(
    ['courseId', 'quiz'],
    [
      Id,
      z.strictObject({
        title: Text,
        dueAt: Instant.nullable(),
        pointsPossible: z.number().nonnegative().optional(),
        published: z.boolean().optional(),
        practice: z.boolean().optional(),
      }),
    ],
  ),
  updateQuiz: sig(
    ['id', 'patch'],
    [
      Id,
      z.strictObject({
        title: Text.optional(),
        dueAt: Instant.nullable().optional(),
        published: z.boolean().optional(),
      }),
    ],
  ),
  deleteQuiz: sig(['id'], [Id]),
  addDiscussion: sig(
    ['courseId', 'discussion'],
    [
      Id,
      z.strictObject({
        title: Text,
        graded: z.boolean().optional(),
        dueAt: Instant.nullable().optional(),
        todoDate: Instant.nullable().optional(),
        pointsPossible: z.number().nonnegative().optional(),
        published: z.boolean().optional(),
      }),
    ],
  ),
  updateDiscussion: sig(
    ['id', 'patch'],
    [
      Id,
      z.strictObject({
        title: Text.optional(),
        dueAt: Instant.nullable().optional(),
        published: z.boolean().optional(),
      }),
    ],
  ),
  deleteDiscussion: sig(['id'], [Id]),
  setOverride: sig(['assignmentId', 'userId', 'dueAt'], [Id, Id, Instant.nullable()]),
  submit: sig(['userId', 'assignmentId', 'state'], [Id, Id, z.enum(['submitted', 'graded']).optional()]),
  addCalendarEvent: sig(['courseId', 'event'], [Id, z.strictObject(EventFields)]),
  updateCalendarEvent: sig(['id', 'patch'], [Id, z.strictObject(EventFields).partial()]),
  deleteCalendarEvent: sig(['id'], [Id]),
  failNext: sig(
    ['prefix', 'status', 'count'],
    [Path, z.union([Status, z.strictObject({ status: Status, count: Count.optional() })]), Count.optional()],
  ),
  failPage: sig(['prefix', 'fault'], [Path, z.strictObject({ status: Status, count: Count.optional() })]),
  throttleNext: sig(['count'], [Count.optional()]),
  randomFaults: sig(
    ['faults'],
    [
      z
        .strictObject({
          seed: z.number().int(),
          throttleRate: z.number().min(0).max(1).optional(),
          serverErrorRate: z.number().min(0).max(1).optional(),
        })
        .nullable(),
    ],
  ),
  clearFaults: sig([], []),
  setThrottling: sig(['enabled'], [z.boolean()]),
  setLatency: sig(['ms'], [z.number().nonnegative()]),
  fillBucket: sig(['token', 'level'], [Text, z.number().min(0).max(700)]),
  expectedDueItems: sig(['userId'], [Id]),
  requestCounts: sig([], []),
  resetCounts: sig([], []),
};

/** A control call whose arguments do not fit: the message names the method and the field. */
export class ControlArgumentError extends Error {
  override readonly name = 'ControlArgumentError';
}

/** Why `args` do not fit `method`, one line per field (`addAssignment: assignment.name …`). */
export function controlArgumentProblem(method: Checked, args: unknown[]): string | undefined {
  const { names, args: schema } = SIGNATURES[method];
  // A missing argument is checked as `undefined`, so the message names it.
  const padded = [
    ...args,
    ...Array.from({ length: Math.max(0, names.length - args.length) }, () => undefined),
  ];
  const result = schema.safeParse(padded);
  if (result.success) return undefined;
  const problems = result.error.issues.map((issue) => {
    const [first, ...rest] = issue.path;
    const where =
      first === undefined
        ? 'arguments'
        : [typeof first === 'number' ? (names[first] ?? `argument ${first + 1}`) : String(first), ...rest]
            .map(String)
            .join('.');
    return `${where}: ${issue.message}`;
  });
  return `${method}: ${problems.join('; ')}`;
}

/**
 * Checks the arguments of every control method before it runs, in place (so `demo`, set after
 * seeding, and `state` stay the object's own): a misfit throws ControlArgumentError.
 */
export function checkControlArguments(control: CanvasControl): CanvasControl {
  const methods = control as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of Object.keys(SIGNATURES) as Checked[]) {
    const original = methods[method];
    if (typeof original !== 'function') continue;
    methods[method] = (...args: unknown[]) => {
      const problem = controlArgumentProblem(method, args);
      if (problem !== undefined) throw new ControlArgumentError(problem);
      return original.apply(control, args);
    };
  }
  return control;
}
