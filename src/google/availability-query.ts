import type { UsersRepo } from '../db/users-repo.ts';
import { badRequest } from '../errors.ts';
import { PlannerPreferencesSchema } from '../planner/index.ts';
import { type Availability, availabilityFrom } from './availability.ts';
import type { UserBusy } from './user-busy.ts';

export interface AvailabilityQueryDeps {
  users: Pick<UsersRepo, 'getPlannerPreferences'>;
  busy: Pick<UserBusy, 'getBusy'>;
}

export interface AvailabilityQuery {
  from: Date;
  to: Date;
  minMinutes: number;
  includeStudyBlocks: boolean;
  /** The longest range a caller may ask for; the HTTP API and the LLM tools choose their own. */
  maxRangeDays: number;
}

export interface AvailabilityAnswer extends Availability {
  /** The calendars whose busy time counted. */
  calendars: string[];
  /** What is not counted or could not be read, and what to do about it. */
  notes: string[];
}

/**
 * The user's busy, unknown and free time in [from, to): the one answer the availability API
 * and the `check_availability` tool give. Rejects a backwards or too long range with a 400
 * AppError (`invalid_range`) whose message names the field to fix.
 */
export async function queryAvailability(
  deps: AvailabilityQueryDeps,
  userId: string,
  query: AvailabilityQuery,
): Promise<AvailabilityAnswer> {
  const { from, to } = query;
  if (to <= from) throw badRequest('to must be after from.', 'invalid_range');
  if (to.getTime() - from.getTime() > query.maxRangeDays * 86_400_000)
    throw badRequest(
      `Ask for at most ${query.maxRangeDays} days at a time: move to closer to from.`,
      'invalid_range',
    );
  const prefs = PlannerPreferencesSchema.parse(await deps.users.getPlannerPreferences(userId));
  const map = await deps.busy.getBusy(userId, from, to, { includeStudyBlocks: query.includeStudyBlocks });
  return {
    calendars: map.calendars,
    ...availabilityFrom(map, prefs, from, to, query.minMinutes),
    notes: map.notes,
  };
}
