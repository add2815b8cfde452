import { createHash } from 'node:crypto';

/**
 * Where in every sync period a user's periodic sync starts: a fixed offset hashed from the
 * user id, so 10,000 students spread evenly over the period instead of starting in the same
 * second, and each one is synced at the same point of every period. The database computes the
 * same number (`listDueUsers`), so a tick can select the users of one slice of the period.
 */
export function syncPhaseMs(userId: string, periodMs: number): number {
  return Number.parseInt(createHash('md5').update(userId).digest('hex').slice(0, 8), 16) % periodMs;
}

/** One tick's share of the period: users whose phase is in [fromMs, toMs), started `delayMs(phase)` from now. */
export interface TickSlice {
  fromMs: number;
  toMs: number;
  /** How long from the tick until a user of this phase starts (0 when the tick is late). */
  delayMs(phaseMs: number): number;
}

/**
 * The slice of the period a tick at `nowMs` schedules: the tick's whole interval, rounded to
 * the nearest tick boundary so a tick that fires a little late or early still covers exactly
 * its own slice (consecutive ticks cover the period once, without gaps or overlaps).
 */
export function tickSlice(nowMs: number, periodMs: number, tickMs: number): TickSlice {
  if (periodMs % tickMs !== 0) throw new Error('the sync period must be a whole number of ticks');
  const intoPeriod = ((nowMs % periodMs) + periodMs) % periodMs;
  const slices = periodMs / tickMs;
  const index = Math.round(intoPeriod / tickMs) % slices;
  const fromMs = index * tickMs;
  // How far the tick is past its slice's start (negative when early), wrapped into the period.
  let late = intoPeriod - fromMs;
  if (late > periodMs / 2) late -= periodMs;
  return { fromMs, toMs: fromMs + tickMs, delayMs: (phase) => Math.max(0, phase - fromMs - late) };
}
