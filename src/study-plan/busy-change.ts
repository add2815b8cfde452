import type { CachedEvent } from '../db/calendar-cache-repo.ts';
import type { EventChange } from '../google/delta-sync.ts';

/**
 * Whether a changed event moved the student's busy time inside [from, to): its blocked
 * interval (what the busy computation counts: not cancelled, opaque and not declined, with
 * times) differs before and after, and the old one or the new one overlaps the window.
 * A renamed event, a free or declined one, one far away: nothing to re-plan.
 */
export function changeTouchesBusyTime(change: EventChange, from: Date, to: Date): boolean {
  const before = blockedInterval(change.before);
  const after = blockedInterval(change.after);
  if (before?.start === after?.start && before?.end === after?.end) return false;
  const inside = (i: Interval | undefined) =>
    i !== undefined && i.start < to.getTime() && i.end > from.getTime();
  return inside(before) || inside(after);
}

type Interval = { start: number; end: number };

function blockedInterval(event: CachedEvent | undefined): Interval | undefined {
  if (!event || event.status === 'cancelled' || event.transparent || !event.startAt || !event.endAt)
    return undefined;
  return { start: event.startAt.getTime(), end: event.endAt.getTime() };
}
