import type { Logger } from 'pino';
import { forTheQueue } from '../jobs/register-jobs.ts';
import type { Queue } from '../queue/queue.ts';
import type { SyncSummary } from '../sync/canvas-sync.ts';
import type { FollowOutcome } from '../sync/follow-calendars.ts';
import { changeTouchesBusyTime } from './busy-change.ts';
import { type RepairDeps, type RepairTrigger, repairStudyPlan } from './repair-plan.ts';

/** One coalesced re-plan of a user's study calendar. */
export const STUDY_REPAIR_JOB = 'study-plan-repair';
/** Once a day: a repair for every connected user, so the horizon rolls forward. */
export const STUDY_REPAIR_DAILY_JOB = 'study-plan-repair-daily';
/** Triggers inside this window (a Canvas sync and a webhook at once) make one repair. */
export const REPAIR_DEBOUNCE_MS = 5_000;
export const REPAIR_EVERY_MS = 24 * 3600_000;
const REPAIR_ATTEMPTS = 4;

export interface RepairEnqueuerOptions {
  debounceMs?: number;
  backoffMs: number;
  /**
   * Keeps the trigger beside the job: a coalesced add keeps only the job's first payload, and
   * the repair records every trigger it answered (`takeTriggers`).
   */
  noteTrigger?(userId: string, trigger: RepairTrigger): Promise<void>;
}

/** How the triggers ask for a repair: one pending job per user, whatever asked for it. */
export function repairEnqueuer(queue: Pick<Queue, 'add'>, options: RepairEnqueuerOptions) {
  return {
    /**
     * Coalesced per user: every trigger inside the window joins the pending repair; one while
     * it runs schedules exactly one more after it. The user's group key keeps it from running
     * beside a follow of the same user (whose changes it plans around).
     */
    async repairLater(userId: string, trigger: RepairTrigger): Promise<{ jobId: string; joined: boolean }> {
      await options.noteTrigger?.(userId, trigger);
      const added = await queue.add(
        STUDY_REPAIR_JOB,
        { userId, trigger },
        {
          coalesce: { key: `study-repair:${userId}`, windowMs: options.debounceMs ?? REPAIR_DEBOUNCE_MS },
          groupKey: userId,
          attempts: REPAIR_ATTEMPTS,
          backoffMs: options.backoffMs,
        },
      );
      return { jobId: added.id, joined: added.coalesced };
    },
  };
}

export type RepairEnqueuer = ReturnType<typeof repairEnqueuer>;

/** The worker side: the repair itself, and the daily repair of every connected user. */
export async function registerRepairJobs(deps: {
  queue: Queue;
  logger: Logger;
  repair: RepairDeps;
  enqueue: RepairEnqueuer;
  connectedUserIds(): Promise<string[]>;
  /** Holds the user's study-plan lock around a repair (shared with proposal writes). */
  lock?<T>(userId: string, fn: () => Promise<T>): Promise<T>;
}): Promise<void> {
  const { queue } = deps;
  queue.process<{ userId: string; trigger: RepairTrigger }>(STUDY_REPAIR_JOB, async ({ userId, trigger }) => {
    try {
      const repair = async () => {
        // Triggers noted from now on are left for the run the queue schedules after this one.
        const coalesced = (await deps.repair.plans.takeTriggers(userId)) as RepairTrigger[];
        return repairStudyPlan(deps.repair, userId, trigger, undefined, coalesced);
      };
      const record = await (deps.lock ? deps.lock(userId, repair) : repair());
      if (record.moved + record.added + record.removed > 0)
        deps.logger.info(
          {
            userId,
            triggers: record.triggers,
            moved: record.moved,
            added: record.added,
            removed: record.removed,
          },
          'study plan repaired',
        );
    } catch (error) {
      throw forTheQueue(error);
    }
  });
  queue.process(STUDY_REPAIR_DAILY_JOB, async () => {
    for (const userId of await deps.connectedUserIds()) await deps.enqueue.repairLater(userId, 'daily');
  });
  await queue.repeat(STUDY_REPAIR_DAILY_JOB, {}, REPAIR_EVERY_MS);
}

/**
 * Whether a follow changed the student's busy time inside [from, to) (now and the planner's
 * horizon): some event of a calendar other than CanvasCal's deadline calendar (whose events
 * are transparent) blocks other time than it did, there (see `changeTouchesBusyTime`). A full
 * listing (the first, or after a lost sync token) does not say what changed, so it counts.
 */
export function followChangedBusyTime(outcome: FollowOutcome, from: Date, to: Date): boolean {
  return outcome.calendars.some(
    (c) =>
      c.role !== 'app' &&
      (c.changes === undefined
        ? c.mode === 'full'
        : c.changes.some((change) => changeTouchesBusyTime(change, from, to))),
  );
}

/**
 * Whether a Canvas sync changed what the planner plans for: a deadline row inserted, changed
 * or removed. A sync that found Canvas unchanged (most of them) asks for no repair.
 */
export function canvasSyncChangedDeadlines(summary: Pick<SyncSummary, 'deadlineWrites'>): boolean {
  return summary.deadlineWrites.written + summary.deadlineWrites.removed > 0;
}
