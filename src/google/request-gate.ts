import { QuotaWaitError, REFUSAL_PAUSE_MS, type RequestBudget } from './request-budget.ts';

/** What the Calendar client asks before every request it sends for one user. */
export interface RequestGate {
  /**
   * Resolves once `cost` requests may be sent (each batch part is one); rejects with a
   * QuotaWaitError, having taken nothing, when that would mean waiting past the caller's limit.
   */
  acquire(cost: number): Promise<void>;
  /** Google refused a call for its rate: the user's budget pauses past Google's window. */
  refused(): Promise<void>;
}

export interface GateOptions {
  now(): number;
  sleep(ms: number): Promise<void>;
  /**
   * The longest wait held in place (default 2 s); a longer one rejects with QuotaWaitError so a
   * job gives its worker back and is delayed (tests and benches pass Infinity with a fake clock).
   */
  maxWaitMs?: number;
  /** How long the user's requests pause after Google refused one for its rate (default 61 s). */
  refusalPauseMs?: number;
  /** Told of every wait: held in place (`inline`) or handed back to the job (`job`). */
  onWait?(where: 'inline' | 'job', ms: number): void;
}

export const DEFAULT_MAX_INLINE_WAIT_MS = 2_000;

/** The gate of one user over a shared budget. */
export function budgetGate(budget: RequestBudget, userId: string, options: GateOptions): RequestGate {
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS;
  return {
    async acquire(cost) {
      for (;;) {
        const askedAt = options.now();
        const decision = await budget.take(userId, cost, askedAt);
        if (decision.granted) return;
        const where = decision.retryAfterMs > maxWaitMs ? 'job' : 'inline';
        options.onWait?.(where, decision.retryAfterMs);
        if (where === 'job') throw new QuotaWaitError(decision.retryAfterMs);
        // The answer is for the instant asked; time spent getting it is not waited again.
        await options.sleep(Math.max(0, askedAt + decision.retryAfterMs - options.now()));
      }
    },
    async refused() {
      await budget.pauseUser(userId, options.now() + (options.refusalPauseMs ?? REFUSAL_PAUSE_MS));
    },
  };
}
