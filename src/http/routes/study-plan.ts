import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { StudyPlanRepo } from '../../db/study-plan-repo.ts';
import type { UsersRepo } from '../../db/users-repo.ts';
import { badRequest, notFound } from '../../errors.ts';
import { PlannerPreferencesSchema } from '../../planner/index.ts';
import type { RepairEnqueuer } from '../../study-plan/repair-jobs.ts';
import type { SessionEditEnqueuer } from '../../study-plan/session-edits.ts';
import { apiInstant } from '../instant.ts';
import { currentUser } from '../server.ts';

export interface StudyPlanRouteDeps {
  users: Pick<UsersRepo, 'getPlannerPreferences'>;
  plans: Pick<StudyPlanRepo, 'listSessions' | 'getState'>;
  enqueue: Pick<RepairEnqueuer, 'repairLater'>;
  edits: Pick<SessionEditEnqueuer, 'editLater'>;
  /** Rejects with a 409 saying how to connect Google unless the user's connection works. */
  requireGoogle(userId: string): Promise<void>;
}

const SessionParams = z.object({ eventId: z.string().min(1).max(1024) });
const EditAccepted = z.object({ jobId: z.string() });
/** The longest session a student may stretch one to. */
const MAX_SESSION_MS = 12 * 3600_000;

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
            'Repairs your study plan now. A repair already pending is joined (`joined: true`) rather than doubled. 409 while Google is not connected.',
          response: { 202: z.object({ jobId: z.string(), joined: z.boolean() }) },
        },
      },
      async (request, reply) => {
        const userId = currentUser(request).id;
        await deps.requireGoogle(userId);
        return reply.status(202).send(await deps.enqueue.repairLater(userId, 'manual'));
      },
    );

    /**
     * The session, when it is still on the calendar (planned or pinned) and Google is connected
     * to write the edit there.
     */
    const liveSession = async (userId: string, eventId: string) => {
      await deps.requireGoogle(userId);
      const row = (await deps.plans.listSessions(userId)).find(
        (r) => r.googleEventId === eventId && r.status !== 'dropped',
      );
      if (!row) throw notFound(`No study session ${eventId} on your calendar: GET /api/v1/plan lists them.`);
      return row;
    };

    app.patch(
      '/plan/sessions/:eventId',
      {
        schema: {
          tags: ['planner'],
          description:
            'Moves one study session (as moving it in Google would): it becomes pinned there, and a repair plans the rest around it. Written in the background, never beside a repair; 202 with the job, 409 while Google is not connected.',
          params: SessionParams,
          body: z.object({ start: apiInstant(), end: apiInstant() }),
          response: { 202: EditAccepted },
        },
      },
      async (request, reply) => {
        const userId = currentUser(request).id;
        const { start, end } = request.body;
        const length = Date.parse(end) - Date.parse(start);
        if (length <= 0 || length > MAX_SESSION_MS)
          throw badRequest('end must be after start, and a session at most 12 hours long.');
        await liveSession(userId, request.params.eventId);
        const job = await deps.edits.editLater({
          userId,
          eventId: request.params.eventId,
          action: 'move',
          start: new Date(start).toISOString(),
          end: new Date(end).toISOString(),
        });
        // Then a repair (after the edit: same job group), to plan the rest around the pin.
        await deps.enqueue.repairLater(userId, 'manual');
        return reply.status(202).send(job);
      },
    );

    app.delete(
      '/plan/sessions/:eventId',
      {
        schema: {
          tags: ['planner'],
          description:
            'Removes one study session (as deleting it in Google would): it is dropped and never planned again, and a repair plans the time elsewhere. Written in the background, never beside a repair; 202 with the job, 409 while Google is not connected.',
          params: SessionParams,
          response: { 202: EditAccepted },
        },
      },
      async (request, reply) => {
        const userId = currentUser(request).id;
        await liveSession(userId, request.params.eventId);
        const job = await deps.edits.editLater({ userId, eventId: request.params.eventId, action: 'remove' });
        // Then a repair, to plan the removed time elsewhere if there is room.
        await deps.enqueue.repairLater(userId, 'manual');
        return reply.status(202).send(job);
      },
    );
  };
}
