import { randomUUID } from 'node:crypto';
import type { PlannedSession } from '../planner/index.ts';

/**
 * What a proposal was made from: its planning window and a hash per input (settings,
 * deadlines and busy time over that window, the study calendar's rows with the student's pins
 * and drops). Applying re-reads the same and compares (src/agent/proposal-basis.ts).
 */
export interface ProposalBasis {
  from: string;
  to: string;
  settings: string;
  deadlines: string;
  busy: string;
  calendar: string;
}

/** A plan a tool showed the student: what `reschedule_conflicts` compares against and re-plans from. */
export interface StoredPlan {
  id: string;
  userId: string;
  createdAt: Date;
  sessions: readonly PlannedSession[];
  /** What it was made from (null: a preview, whose inputs were not recorded). */
  basis: ProposalBasis | null;
}

/**
 * The plans and proposals the tools have shown, per user, bounded: the newest `perUser` per
 * user, `ttlMs` old at most (older ones read as unknown and are pruned on the next save).
 * Another user's id reads as unknown, never as their plan. The service keeps them in the
 * database (`createDbProposalStore`), so every process sees the same ones and a restart
 * forgets none; `createMemoryProposalStore` is the same contract in one process's memory.
 */
export interface ProposalStore {
  save(userId: string, sessions: readonly PlannedSession[], basis?: ProposalBasis): Promise<StoredPlan>;
  get(userId: string, id: string): Promise<StoredPlan | undefined>;
  latest(userId: string): Promise<StoredPlan | undefined>;
}

export interface ProposalLimits {
  now?: () => Date;
  /** How many plans a user keeps (default 20). */
  perUser?: number;
  /** How long a plan can be re-checked or applied (default 24 h). */
  ttlMs?: number;
}

/** A plan to save: a fresh id, its own copy of the sessions. */
export function newPlan(
  userId: string,
  sessions: readonly PlannedSession[],
  basis: ProposalBasis | undefined,
  createdAt: Date,
): StoredPlan {
  return { id: randomUUID(), userId, createdAt, sessions: [...sessions], basis: basis ?? null };
}

export const PROPOSAL_DEFAULTS = { perUser: 20, ttlMs: 24 * 3_600_000 } as const;

export function createMemoryProposalStore(
  options: ProposalLimits & { maxUsers?: number } = {},
): ProposalStore {
  const now = options.now ?? (() => new Date());
  const perUser = options.perUser ?? PROPOSAL_DEFAULTS.perUser;
  const ttlMs = options.ttlMs ?? PROPOSAL_DEFAULTS.ttlMs;
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
    async save(userId, sessions, basis) {
      const plan = newPlan(userId, sessions, basis, now());
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
    get: async (userId, id) => live(userId).find((p) => p.id === id),
    latest: async (userId) => live(userId).at(-1),
  };
}
