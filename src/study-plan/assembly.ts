import type { Logger } from 'pino';
import type { CalendarCacheRepo } from '../db/calendar-cache-repo.ts';
import type { Orm } from '../db/client.ts';
import type { DeadlinesRepo } from '../db/deadlines-repo.ts';
import type { GoogleConnectionsRepo } from '../db/google-connections-repo.ts';
import { createStudyPlanRepo } from '../db/study-plan-repo.ts';
import { createInProcessUserLock, type WithUserLock } from '../db/user-lock.ts';
import type { UsersRepo } from '../db/users-repo.ts';
import type { CalendarApi } from '../google/calendar-api.ts';
import type { GoogleSetup } from '../google/google-setup.ts';
import { createPlannerBusy } from '../google/planner-busy.ts';
import { createUserBusy } from '../google/user-busy.ts';
import { type StudyPlanRouteDeps, studyPlanRoutes } from '../http/routes/study-plan.ts';
import { PlannerPreferencesSchema } from '../planner/index.ts';
import type { Queue } from '../queue/queue.ts';
import type { SyncSummary } from '../sync/canvas-sync.ts';
import type { FollowOutcome } from '../sync/follow-calendars.ts';
import type { BusySource } from './plan-preview.ts';
import {
  canvasSyncChangedDeadlines,
  followChangedBusyTime,
  registerRepairJobs,
  repairEnqueuer,
} from './repair-jobs.ts';
import { type RepairDeps, type RepairTrigger, writeStudyPlan } from './repair-plan.ts';
import { registerSessionEditJobs, sessionEditEnqueuer } from './session-edits.ts';
import type { PlanSession } from './session-slots.ts';
import type { PlanSolver } from './solve-plan.ts';

export interface StudyPlanAssemblyDeps {
  orm: Orm;
  queue: Queue;
  logger: Logger;
  users: UsersRepo;
  deadlines: DeadlinesRepo;
  googleConnections: GoogleConnectionsRepo;
  calendarCache: CalendarCacheRepo;
  /** Runs the planner (the service's pool). */
  solve: PlanSolver;
  /** First pause between retry rounds of failed Google writes (doubling). */
  retryBaseMs: number;
  /** Batches of session writes in flight at once (GOOGLE_BATCHES_IN_FLIGHT; default 1). */
  batchesInFlight?: number;
  debounceMs?: number;
  now?: () => Date;
  /**
   * Serializes a user's repairs with writes of accepted proposals (`writePlanNow`), which
   * run outside the queue; left out, an in-process lock per user.
   */
  withUserLock?: WithUserLock;
}

/**
 * Everything the study plan on the calendar adds to the service, built once in the
 * composition root: the store, the triggers' enqueuer, the routes, and the workers.
 */
export function assembleStudyPlan(deps: StudyPlanAssemblyDeps) {
  const plans = createStudyPlanRepo(deps.orm);
  const lock = deps.withUserLock ?? createInProcessUserLock();
  const enqueue = repairEnqueuer(deps.queue, {
    backoffMs: deps.retryBaseMs,
    noteTrigger: (userId, trigger) => plans.noteTrigger(userId, trigger),
    ...(deps.debounceMs !== undefined ? { debounceMs: deps.debounceMs } : {}),
  });
  const edits = sessionEditEnqueuer(deps.queue);
  const ownCalendarIds = async (userId: string) => {
    const { calendarId } = await plans.getState(userId);
    return calendarId ? [calendarId] : [];
  };
  // The window a repair plans: from now to the student's horizon. Most follows change no busy
  // time anywhere: those are answered without reading the student's settings.
  const ALL_TIME = { from: new Date(-8.64e15), to: new Date(8.64e15) };
  const busyChangedInHorizon = async (userId: string, outcome: FollowOutcome) => {
    if (!followChangedBusyTime(outcome, ALL_TIME.from, ALL_TIME.to)) return false;
    const { horizonDays } = PlannerPreferencesSchema.parse(await deps.users.getPlannerPreferences(userId));
    const now = (deps.now ?? (() => new Date()))();
    return followChangedBusyTime(outcome, now, new Date(now.getTime() + horizonDays * 86_400_000));
  };
  // Set by the worker side (the push channels are built after the study plan).
  let studyCalendarCreated: ((userId: string) => Promise<void>) | undefined;
  const repairDeps = (google: GoogleSetup, busy: BusySource): RepairDeps => ({
    users: deps.users,
    deadlines: deps.deadlines,
    connections: deps.googleConnections,
    plans,
    calendarFor: (userId) => google.calendarFor(userId),
    busy,
    solve: deps.solve,
    busyFor: (api: CalendarApi) =>
      createPlannerBusy({
        googleConnections: deps.googleConnections,
        calendarCache: deps.calendarCache,
        userBusy: createUserBusy({
          users: deps.users,
          calendarFor: async () => api,
          appCalendarId: async (userId) => (await deps.googleConnections.get(userId))?.appCalendarId ?? null,
          ownCalendarIds,
        }),
      }),
    logger: deps.logger,
    onStudyCalendarCreated: async (userId) => {
      // Not worth failing the repair over: the periodic channel check opens it later anyway.
      await studyCalendarCreated?.(userId).catch((error: unknown) =>
        deps.logger.warn(
          { userId, err: error },
          'could not ask for a push channel on the new study calendar',
        ),
      );
    },
    now: deps.now ?? (() => new Date()),
    retryBaseMs: deps.retryBaseMs,
    paced: google.paced,
    ...(deps.batchesInFlight !== undefined ? { batchesInFlight: deps.batchesInFlight } : {}),
  });
  return {
    plans,
    /** CanvasCal's calendars beyond the deadline one: never counted as the student's busy time. */
    ownCalendarIds,
    /** One coalesced repair per user; what every trigger calls. */
    repairLater: (userId: string, trigger: RepairTrigger) => enqueue.repairLater(userId, trigger),
    /** After a successful Canvas sync: a repair only when it changed a deadline. */
    afterCanvasSync: async (userId: string, summary: Pick<SyncSummary, 'deadlineWrites'>) => {
      if (canvasSyncChangedDeadlines(summary)) await enqueue.repairLater(userId, 'canvas-sync');
    },
    /** After a calendar follow: a repair when the student's busy time changed within the horizon. */
    afterFollow: async (userId: string, outcome: FollowOutcome, calendarId?: string) => {
      // A notification on the study calendar itself: the student may have moved or deleted a
      // session (the repair's own follow of that calendar reads it, and our echoes change nothing).
      const own = calendarId !== undefined && (await ownCalendarIds(userId)).includes(calendarId);
      if (own || (await busyChangedInHorizon(userId, outcome)))
        await enqueue.repairLater(userId, 'calendar-follow');
    },
    /** The routes; `requireGoogle` refuses a replan or session edit Google could not take. */
    routes: (requireGoogle: StudyPlanRouteDeps['requireGoogle']) =>
      studyPlanRoutes({ users: deps.users, plans, enqueue, edits, requireGoogle }),
    /** The repair job and the daily repair (worker processes only). */
    async registerWorkers(
      google: GoogleSetup,
      busy: BusySource,
      hooks: { onStudyCalendarCreated?(userId: string): Promise<void> } = {},
    ): Promise<void> {
      studyCalendarCreated = hooks.onStudyCalendarCreated;
      registerSessionEditJobs(deps.queue, { plans, calendarFor: (userId) => google.calendarFor(userId) });
      await registerRepairJobs({
        queue: deps.queue,
        logger: deps.logger,
        repair: repairDeps(google, busy),
        lock: (userId, fn) => lock(STUDY_PLAN_LOCK, userId, fn),
        enqueue,
        connectedUserIds: () => deps.googleConnections.listConnectedUserIds(),
      });
    },
    /**
     * Writes a given plan for a user now, outside the queue (the MCP reschedule tool applies
     * an accepted proposal with it); see `writeStudyPlan`. Resolves with moved / added /
     * removed and the Google calls.
     */
    writePlanNow: (google: GoogleSetup, busy: BusySource, userId: string, sessions: readonly PlanSession[]) =>
      lock(STUDY_PLAN_LOCK, userId, () => writeStudyPlan(repairDeps(google, busy), userId, sessions)),
  };
}

/** The lock a user's repairs and proposal writes share. */
export const STUDY_PLAN_LOCK = 'study-plan-write';

export type StudyPlanAssembly = ReturnType<typeof assembleStudyPlan>;
