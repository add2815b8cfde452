import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DeadlinesRepo } from '../../db/deadlines-repo.ts';
import type { UsersRepo } from '../../db/users-repo.ts';
import { PLANNER_LIMITS, PlannerPreferencesSchema, tooMany } from '../../planner/index.ts';
import { type BusySource, previewStudyPlan } from '../../study-plan/plan-preview.ts';
import type { PlanSolver } from '../../study-plan/solve-plan.ts';
import { apiInstant } from '../instant.ts';
import { currentUser } from '../server.ts';

export type { BusySource } from '../../study-plan/plan-preview.ts';

const LIMITS = PLANNER_LIMITS;
const DEADLINE_SHAPE =
  'Each deadline: {"id": string, "dueAt": instant with offset, "course"?: string, "title"?: string, "effortMinutes"?: 0..12000, "kind"?: "assignment"|"quiz"|"exam"|"discussion"|"project"|"reading"|"event", "pointsPossible"?: number|null, "priority"?: 1..5, "earliestStartAt"?: instant, "doneMinutes"?: integer}.';

export interface PlannerRouteDeps {
  users: UsersRepo;
  deadlines: DeadlinesRepo;
  busy: BusySource;
  /** Runs the solver off the request thread (the planner pool). */
  solve: PlanSolver;
  now?: () => Date;
  /** After the student saved new preferences (the study plan re-plans). */
  onSettingsChanged?(userId: string): Promise<unknown>;
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
        const userId = currentUser(request).id;
        await deps.users.setPlannerPreferences(userId, request.body);
        await deps.onSettingsChanged?.(userId);
        return request.body;
      },
    );

    app.post(
      '/planner/preview',
      {
        schema: {
          tags: ['planner'],
          description: `Plans study sessions. Without a body: from your stored Canvas deadlines and busy time. With \`deadlines\` (and optionally \`busy\`, \`pinned\`, \`dropped\`, \`preferences\`, \`now\`): from that input alone. Limits per plan: ${LIMITS.deadlines} deadlines, ${LIMITS.busyIntervals} busy intervals, ${LIMITS.pinnedSessions} pinned and ${LIMITS.droppedSessions} dropped sessions, ${LIMITS.horizonDays} days ahead (400 past them); 429 past 2 plans of yours at once, 503 with Retry-After when the planner is full.`,
          body: z
            .object({
              now: apiInstant().optional(),
              // Items are checked on the planner's thread (400 naming the field): checking 500
              // deadlines here held the request thread for tens of milliseconds.
              deadlines: z
                .array(z.unknown())
                .max(LIMITS.deadlines, tooMany('deadlines', LIMITS.deadlines))
                .optional()
                .describe(DEADLINE_SHAPE),
              busy: z
                .array(z.unknown())
                .max(LIMITS.busyIntervals, tooMany('busy intervals', LIMITS.busyIntervals))
                .optional(),
              pinned: z
                .array(z.unknown())
                .max(LIMITS.pinnedSessions, tooMany('pinned sessions', LIMITS.pinnedSessions))
                .optional(),
              dropped: z
                .array(z.unknown())
                .max(LIMITS.droppedSessions, tooMany('dropped sessions', LIMITS.droppedSessions))
                .optional(),
              preferences: z.record(z.string(), z.unknown()).optional(),
            })
            // A POST with no body at all arrives as null: it means "from my stored data".
            .nullish(),
          response: { 200: PlanOut },
        },
      },
      async (request) => {
        const body = request.body ?? {};
        const { deadlines, ...rest } = body;
        const plan = await previewStudyPlan(deps, currentUser(request).id, {
          now: body.now ? new Date(body.now) : now(),
          explicit: deadlines ? { ...rest, deadlines } : undefined,
        });
        return {
          sessions: plan.sessions,
          deadlines: plan.deadlines,
          days: plan.days,
          totals: plan.totals,
          timeZone: plan.timeZone,
          notes: plan.notes,
        };
      },
    );
  };
}
