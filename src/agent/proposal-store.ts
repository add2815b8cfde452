import { randomUUID } from 'node:crypto';
import type { PlannedSession } from '../planner/index.ts';

/** A plan a tool showed the student: what `reschedule_conflicts` compares against and re-plans from. */
export interface StoredPlan {
  id: string;
  userId: string;
  createdAt: Date;
  sessions: readonly PlannedSession[];
}

/**
 * The plans and proposals the tools have shown, per user, in this process's memory: bounded
 * (the newest `perUser` per user, `ttlMs` old at most). A restart forgets them; a caller
 * then gets a fresh plan. Another user's id reads as unknown, never as their plan.
 */
export interface ProposalStore {
  save(userId: string, sessions: readonly PlannedSession[]): StoredPlan;
  get(userId: string, id: string): StoredPlan | undefined;
  latest(userId: string): StoredPlan | undefined;
}

export function createProposalStore(
  options: { now?: () => Date; perUser?: number; ttlMs?: number; maxUsers?: number } = {},
): ProposalStore {
  const now = options.now ?? (() => new Date());
  const perUser = options.perUser ?? 20;
  const ttlMs = options.ttlMs ?? 24 * 3_600_000;
  const maxUsers = options.maxUsers ?? 10_000;
  const byUser = new Map<string, StoredPlan[]>();
  const live = (userId: string) => {
    const cutoff = now().getTime() - ttlMs;
    const plans = (byUser.get(userId) ?? []).filter((p) => p.createdAt.getTime() > cutoff);
    if (plans.length === 0) byUser.delete(userId);
    else byUser.set(userId, plans);
    return plans;
  };
  return {
    save(userId, sessions) {
      const plan: StoredPlan = { id: randomUUID(), userId, createdAt: now(), sessions: [...sessions] };
      const plans = [...live(userId), plan].slice(-perUser);
      // Map order is insertion order: re-inserting makes this user the newest.
      byUser.delete(userId);
      byUser.set(userId, plans);
      while (byUser.size > maxUsers) {
        const oldest = byUser.keys().next().value;
        if (oldest === undefined) break;
        byUser.delete(oldest);
      }
      return plan;
    },
    get: (userId, id) => live(userId).find((p) => p.id === id),
    latest: (userId) => live(userId).at(-1),
  };
}
