import { GoogleApiError } from './google-api-error.ts';

/**
 * Google's Calendar quotas, kept on our side so Google never has to refuse us.
 *
 * Google enforces two quotas, "per minute per project" (10,000 requests as standard) and "per
 * minute per project per user" (600), each "calculated per minute using a sliding window"; a
 * batch of n calls counts as n requests. Over either one Google answers 403 or 429 usageLimits.
 * Sources: https://developers.google.com/workspace/calendar/api/guides/quota and
 * https://developers.google.com/workspace/calendar/api/guides/batch.
 *
 * The budget counts what was admitted in one-second buckets. A request at time t is checked
 * against the buckets of the last 62 whole seconds: Google's window (t − 60 s, t] and 1–2 s
 * more, for the time a request takes to reach Google and for clocks that differ a little. So
 * what we admit is never more than Google allows over any of its minutes.
 */
export interface Quotas {
  /** Requests per minute for one user (Google's standard: 600). */
  perUserPerMinute: number;
  /** Requests per minute for the whole project, every worker together (Google's standard: 10,000). */
  perProjectPerMinute: number;
}

export const STANDARD_QUOTAS: Quotas = { perUserPerMinute: 600, perProjectPerMinute: 10_000 };

/**
 * How long to wait after Google refused a call for its rate: past its one-minute window, so
 * every request it counted has left it (a 1–16 s backoff only adds refused calls to it).
 */
export const REFUSAL_PAUSE_MS = 61_000;

export const BUCKET_MS = 1_000;
/** 62 buckets of a second: every 60-second window ending in the newest one, and a second more. */
export const WINDOW_BUCKETS = 62;

export type BudgetDecision = { granted: true } | { granted: false; retryAfterMs: number };

/**
 * The request budget of every user and of the project. Implementations: in this process (the
 * embedded default) and on Redis (shared by every worker). Both promise: `take` is atomic (it
 * takes `cost` from the user's and the project's minute, both or neither), never admits more
 * than a quota over any 60 s window, and a refused `take` says how long until it could succeed.
 */
export interface RequestBudget {
  take(userId: string, cost: number, now: number): Promise<BudgetDecision>;
  /** Google refused this user's call for its rate: nothing more for them until `until`. */
  pauseUser(userId: string, until: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * A request would have to wait longer than the caller may hold a worker: nothing was sent, and
 * the job waits instead (the queue delays it, using no try). Elsewhere (an HTTP request) it is
 * a rate limit like Google's own, answered "Google is busy, try again shortly".
 */
export class QuotaWaitError extends GoogleApiError {
  constructor(readonly retryAfterMs: number) {
    super(
      'rate_limited',
      429,
      'quotaBudget',
      `Google's request quota is used up for now; continuing in ${Math.ceil(retryAfterMs / 1000)} s`,
    );
  }
}

/** One sliding window as buckets: bucket index (second since the epoch) → requests admitted. */
export type Buckets = Map<number, number>;

/**
 * Whether `cost` more fits in `limit` at `now`, and if not, how long until it does (pure).
 * A cost above the limit can never fit; it is refused with the window's length so a caller
 * notices rather than spins (callers never ask for more than one batch, 50).
 */
export function windowDecision(buckets: Buckets, limit: number, cost: number, now: number): BudgetDecision {
  const current = Math.floor(now / BUCKET_MS);
  const oldest = current - WINDOW_BUCKETS + 1;
  const live = [...buckets.entries()].filter(([index]) => index >= oldest).sort(([a], [b]) => a - b);
  let used = live.reduce((sum, [, count]) => sum + count, 0);
  if (used + cost <= limit) return { granted: true };
  if (cost > limit) return { granted: false, retryAfterMs: WINDOW_BUCKETS * BUCKET_MS };
  // The oldest buckets leave the window first: bucket i stops counting at (i + 62) s.
  for (const [index, count] of live) {
    used -= count;
    if (used + cost <= limit)
      return { granted: false, retryAfterMs: (index + WINDOW_BUCKETS) * BUCKET_MS - now };
  }
  return { granted: false, retryAfterMs: BUCKET_MS };
}

/** Adds `cost` to the bucket of `now` and forgets buckets that left the window. */
export function admit(buckets: Buckets, cost: number, now: number): void {
  const current = Math.floor(now / BUCKET_MS);
  buckets.set(current, (buckets.get(current) ?? 0) + cost);
  for (const index of buckets.keys()) if (index <= current - WINDOW_BUCKETS) buckets.delete(index);
}

/** The budget in this process: right for the embedded default, where one process makes every call. */
export function createMemoryBudget(quotas: Quotas): RequestBudget {
  const users = new Map<string, { buckets: Buckets; pausedUntil: number }>();
  const project: Buckets = new Map();
  return {
    async take(userId, cost, now) {
      const user = users.get(userId) ?? { buckets: new Map(), pausedUntil: 0 };
      users.set(userId, user);
      const waits = [
        user.pausedUntil > now ? user.pausedUntil - now : 0,
        refusedFor(windowDecision(user.buckets, quotas.perUserPerMinute, cost, now)),
        refusedFor(windowDecision(project, quotas.perProjectPerMinute, cost, now)),
      ];
      const wait = Math.max(...waits);
      if (wait > 0) return { granted: false, retryAfterMs: wait };
      admit(user.buckets, cost, now);
      admit(project, cost, now);
      // A user idle for a minute has nothing to remember.
      if (users.size > 1_000) {
        for (const [id, state] of users)
          if (state.pausedUntil <= now && !windowHasAny(state.buckets, now)) users.delete(id);
      }
      return { granted: true };
    },
    async pauseUser(userId, until) {
      const user = users.get(userId) ?? { buckets: new Map(), pausedUntil: 0 };
      user.pausedUntil = Math.max(user.pausedUntil, until);
      users.set(userId, user);
    },
    async close() {},
  };
}

function refusedFor(decision: BudgetDecision): number {
  return decision.granted ? 0 : decision.retryAfterMs;
}

function windowHasAny(buckets: Buckets, now: number): boolean {
  const oldest = Math.floor(now / BUCKET_MS) - WINDOW_BUCKETS + 1;
  for (const index of buckets.keys()) if (index >= oldest) return true;
  return false;
}
