/**
 * Google's Calendar API quotas: requests "per minute per project" and "per minute per project
 * per user", "calculated per minute using a sliding window"; over either, calls are answered
 * 403 or 429 usageLimits (https://developers.google.com/workspace/calendar/api/guides/quota).
 * Standard quotas: 10,000 per project and 600 per user a minute. Each batch part counts as one
 * request (https://developers.google.com/workspace/calendar/api/guides/batch).
 *
 * Google does not say whether a refused call uses quota; here it does (a client that keeps
 * calling while refused stays refused), the stricter reading, so a client that passes here
 * does not depend on the kinder one.
 */
export const WINDOW_MS = 60_000;

/** Calls in the last minute, as timestamps in arrival order (a queue with a moving head). */
class SlidingMinute {
  private times: number[] = [];
  private head = 0;

  /** Records a call at `now` and answers how many fall in (now − 60 s, now], this one included. */
  record(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] ?? now) <= now - WINDOW_MS) this.head++;
    if (this.head > 1_024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    this.times.push(now);
    return this.times.length - this.head;
  }
}

export type QuotaOutcome = 'ok' | 'user' | 'project';

/** The per-user and per-project sliding minutes of one emulated Cloud project. */
export class RateWindows {
  private readonly users = new Map<string, SlidingMinute>();
  private project = new SlidingMinute();

  constructor(
    private readonly limits: { perUser: number; perProject: number },
    private readonly now: () => number,
  ) {}

  /** Counts one call by `user` and says which quota, if any, it exceeds. */
  record(user: string): QuotaOutcome {
    const now = this.now();
    const window = this.users.get(user) ?? new SlidingMinute();
    this.users.set(user, window);
    const byUser = window.record(now);
    const byProject = this.project.record(now);
    if (byProject > this.limits.perProject) return 'project';
    if (byUser > this.limits.perUser) return 'user';
    return 'ok';
  }

  clear(): void {
    this.users.clear();
    this.project = new SlidingMinute();
  }
}
