import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeadlinesRepo } from '../../db/deadlines-repo.ts';
import type { UsersRepo } from '../../db/users-repo.ts';
import { badRequest } from '../../errors.ts';
import {
  type BusyIntervalSchema,
  DeadlineSchema,
  type ItemKind,
  type PlannerInputData,
  PlannerInputSchema,
  PlannerPreferencesSchema,
  planStudySessions,
} from '../../planner/index.ts';
import { currentUser } from '../server.ts';

/**
 * The user's busy time in a range (the aggregated busy map once calendars are followed),
 * and notes saying what could not be seen and how to fix it.
 */
export type BusySource = (
  userId: string,
  from: Date,
  to: Date,
) => Promise<{ busy: Array<z.input<typeof BusyIntervalSchema>>; notes: string[] }>;

export interface PlannerRouteDeps {
  users: UsersRepo;
  deadlines: DeadlinesRepo;
  busy: BusySource;
  now?: () => Date;
}

const SessionOut = z.object({
  deadlineId: z.string(),
  start: z.string(),
  end: z.string(),
  pinned: z.boolean(),
});
const PlanOut = z.object({
  sessions: z.array(SessionOut),
  deadlines: z.array(
    z.object({
      deadlineId: z.string(),
      title: z.string(),
      course: z.string(),
      effortMinutes: z.number(),
      effortEstimated: z.boolean(),
      doneMinutes: z.number(),
      pinnedMinutes: z.number(),
      requiredMinutes: z.number(),
      plannedMinutes: z.number(),
      finishBy: z.string(),
      status: z.enum(['planned', 'shortfall']),
      shortfall: z.object({ minutes: z.number(), reason: z.string(), message: z.string() }).nullable(),
    }),
  ),
  days: z.array(
    z.object({
      date: z.string(),
      plannedMinutes: z.number(),
      capMinutes: z.number(),
      studyWindowMinutes: z.number(),
      freeMinutes: z.number(),
    }),
  ),
  totals: z.object({ requiredMinutes: z.number(), boundMinutes: z.number(), plannedMinutes: z.number() }),
  timeZone: z.string(),
  /** What the plan could not see (time counted as unknown, so never planned) and what to do. */
  notes: z.array(z.string()),
});

const KIND_FOR: Record<string, ItemKind> = {
  assignment: 'assignment',
  quiz: 'quiz',
  discussion: 'discussion',
  calendar_event: 'event',
  syllabus: 'exam',
};

/** Planner preferences and plan previews (under /api/v1). */
export function plannerRoutes(deps: PlannerRouteDeps): FastifyPluginAsyncZod {
  const now = deps.now ?? (() => new Date());
  const preferencesOf = async (userId: string) =>
    PlannerPreferencesSchema.parse(await deps.users.getPlannerPreferences(userId));

  return async (app) => {
    app.get(
      '/settings/planner',
      { schema: { tags: ['planner'], response: { 200: PlannerPreferencesSchema } } },
      async (request) => preferencesOf(currentUser(request).id),
    );

    app.put(
      '/settings/planner',
      {
        schema: {
          tags: ['planner'],
          body: PlannerPreferencesSchema,
          response: { 200: PlannerPreferencesSchema },
        },
      },
      async (request) => {
        await deps.users.setPlannerPreferences(currentUser(request).id, request.body);
        return request.body;
      },
    );

    app.post(
      '/planner/preview',
      {
        schema: {
          tags: ['planner'],
          description:
            'Plans study sessions. Without a body: from your stored Canvas deadlines and busy time. With `deadlines` (and optionally `busy`, `pinned`, `dropped`, `preferences`, `now`): from that input alone.',
          body: z
            .object({
              now: z.iso.datetime({ offset: true }).optional(),
              deadlines: z.array(DeadlineSchema).max(5000).optional(),
              busy: z.array(z.unknown()).optional(),
              pinned: z.array(z.unknown()).optional(),
              dropped: z.array(z.unknown()).optional(),
              preferences: z.record(z.string(), z.unknown()).optional(),
            })
            // A POST with no body at all arrives as null: it means "from my stored data".
            .nullish(),
          response: { 200: PlanOut },
        },
      },
      async (request) => {
        const userId = currentUser(request).id;
        const body = request.body ?? {};
        const stored = await preferencesOf(userId);
        const start = body.now ? new Date(body.now) : now();
        let input: PlannerInputData;
        let notes: string[] = [];
        if (body.deadlines) {
          input = {
            ...body,
            now: start.toISOString(),
            preferences: { ...stored, ...body.preferences },
            deadlines: body.deadlines,
          } as PlannerInputData;
        } else {
          const horizonEnd = new Date(start.getTime() + stored.horizonDays * 86_400_000);
          const due = (await deps.deadlines.list(userId, { from: start, to: horizonEnd })).filter(
            (d) => !d.submitted && d.dueAt,
          );
          const seen = await deps.busy(userId, start, horizonEnd);
          notes = seen.notes;
          input = {
            now: start.toISOString(),
            preferences: stored,
            deadlines: due.map((d) => ({
              id: d.sourceKey,
              course: d.courseName ?? '',
              title: d.title,
              dueAt: d.dueAt?.toISOString() ?? start.toISOString(),
              kind: KIND_FOR[d.kind] ?? 'assignment',
              pointsPossible: d.pointsPossible,
              ...(d.effortMinutes !== null ? { effortMinutes: d.effortMinutes } : {}),
            })),
            busy: seen.busy,
          };
        }
        const parsed = PlannerInputSchema.safeParse(input);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          throw badRequest(
            `Invalid planner input: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
            'validation_failed',
          );
        }
        const result = planStudySessions(parsed.data);
        const byId = new Map(parsed.data.deadlines.map((d) => [d.id, d]));
        return {
          sessions: [...result.sessions],
          // Ids are for programs; people read the title and the course.
          deadlines: result.deadlines.map((d) => {
            const input = byId.get(d.deadlineId);
            return { ...d, title: input?.title ?? d.deadlineId, course: input?.course ?? '' };
          }),
          days: [...result.days],
          totals: result.totals,
          timeZone: parsed.data.preferences.timeZone,
          notes,
        };
      },
    );
  };
}
