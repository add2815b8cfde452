import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StudyPlanRepo } from '../../db/study-plan-repo.ts';
import type { UsersRepo } from '../../db/users-repo.ts';
import { PlannerPreferencesSchema } from '../../planner/index.ts';
import type { RepairEnqueuer } from '../../study-plan/repair-jobs.ts';
import { currentUser } from '../server.ts';

export interface StudyPlanRouteDeps {
  users: Pick<UsersRepo, 'getPlannerPreferences'>;
  plans: Pick<StudyPlanRepo, 'listSessions' | 'getState'>;
  enqueue: Pick<RepairEnqueuer, 'repairLater'>;
}

const SessionOut = z.object({
  deadlineId: z.string(),
  start: z.string(),
  end: z.string(),
  eventId: z.string(),
});

const RepairOut = z.object({
  at: z.string(),
  trigger: z.string(),
  /** Every trigger coalesced into that repair (absent from repairs recorded before it existed). */
  triggers: z.array(z.string()).optional(),
  outcome: z.string(),
  moved: z.number(),
  added: z.number(),
  removed: z.number(),
  unchanged: z.number(),
  googleCalls: z.number(),
  batches: z.number(),
  conflicts: z.number(),
  studentEdits: z.object({ pinned: z.number(), dropped: z.number() }),
  shortfalls: z.array(
    z.object({
      deadlineId: z.string(),
      title: z.string(),
      course: z.string(),
      minutes: z.number(),
      reason: z.string(),
      message: z.string(),
    }),
  ),
  notes: z.array(z.string()),
});

const PlanOut = z.object({
  autoPlan: z.boolean(),
  /** The "CanvasCal Study" calendar, once planning has been on. */
  calendarId: z.string().nullable(),
  /** What CanvasCal planned and wrote (the student's pins are in `pinned`). */
  sessions: z.array(SessionOut),
  /** Sessions the student moved or shortened: kept where they put them. */
  pinned: z.array(SessionOut),
  /** Sessions the student deleted: never planned again. */
  dropped: z.array(SessionOut),
  /** Per deadline, the minutes the plan could not place and why (from the last repair). */
  shortfalls: RepairOut.shape.shortfalls,
  lastRepair: RepairOut.nullable(),
});

/** The study plan on the student's calendar, and a repair on request (under /api/v1). */
export function studyPlanRoutes(deps: StudyPlanRouteDeps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/plan',
      {
        schema: {
          tags: ['planner'],
          description:
            'The study sessions on your "CanvasCal Study" calendar, what could not be placed, the last repair, and your pins and drops.',
          response: { 200: PlanOut },
        },
      },
      async (request) => {
        const userId = currentUser(request).id;
        const prefs = PlannerPreferencesSchema.parse(await deps.users.getPlannerPreferences(userId));
        const state = await deps.plans.getState(userId);
        const rows = await deps.plans.listSessions(userId);
        const out = (status: string) =>
          rows
            .filter((r) => r.status === status)
            .map((r) => ({
              deadlineId: r.deadlineKey,
              start: r.start.toISOString(),
              end: r.end.toISOString(),
              eventId: r.googleEventId,
            }));
        const lastRepair = RepairOut.safeParse(state.lastRepair);
        return {
          autoPlan: prefs.autoPlan,
          calendarId: state.calendarId,
          sessions: out('planned'),
          pinned: out('pinned'),
          dropped: out('dropped'),
          shortfalls: lastRepair.success ? lastRepair.data.shortfalls : [],
          lastRepair: lastRepair.success ? lastRepair.data : null,
        };
      },
    );

    app.post(
      '/plan/replan',
      {
        schema: {
          tags: ['planner'],
          description:
            'Repairs your study plan now. A repair already pending is joined (`joined: true`) rather than doubled.',
          response: { 202: z.object({ jobId: z.string(), joined: z.boolean() }) },
        },
      },
      async (request, reply) =>
        reply.status(202).send(await deps.enqueue.repairLater(currentUser(request).id, 'manual')),
    );
  };
}
