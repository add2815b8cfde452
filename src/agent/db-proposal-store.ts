import { and, desc, eq, gt, lte, notInArray, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Orm } from '../db/client.ts';
import { agentProposals } from '../db/schema.ts';
import type { PlannedSession } from '../planner/index.ts';
import {
  newPlan,
  PROPOSAL_DEFAULTS,
  type ProposalBasis,
  type ProposalLimits,
  type ProposalStore,
  type StoredPlan,
} from './proposal-store.ts';

const SessionsSchema = z.array(
  z.object({ deadlineId: z.string(), start: z.string(), end: z.string(), pinned: z.boolean() }),
);
const BasisSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    settings: z.string(),
    deadlines: z.string(),
    busy: z.string(),
    calendar: z.string(),
  })
  .nullable();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Row = typeof agentProposals.$inferSelect;

const toPlan = (row: Pick<Row, 'id' | 'userId' | 'createdAt' | 'sessions' | 'basis'>): StoredPlan => ({
  id: row.id,
  userId: row.userId,
  createdAt: row.createdAt,
  // Written by `save` from PlannedSession values; parsing keeps a hand-edited row from
  // reaching the planner as something else.
  sessions: SessionsSchema.parse(row.sessions) satisfies PlannedSession[],
  // A row of another shape reads as "inputs not recorded", so applying it answers a fresh proposal.
  basis: BasisSchema.catch(null).parse(row.basis ?? null) satisfies ProposalBasis | null,
});

/**
 * The proposal store in the database (table agent_proposals): what one `serve` process showed,
 * another can re-check or apply, and a restart keeps. Each save prunes, in the same statement
 * order every time: every plan past `ttlMs` (all users, by the created_at index) and the
 * user's plans beyond the newest `perUser`. Reads never return an expired plan even before
 * the prune has run. The user must exist (users row); deleting the user deletes their plans.
 */
export function createDbProposalStore(orm: Orm, options: ProposalLimits = {}): ProposalStore {
  const now = options.now ?? (() => new Date());
  const perUser = options.perUser ?? PROPOSAL_DEFAULTS.perUser;
  const ttlMs = options.ttlMs ?? PROPOSAL_DEFAULTS.ttlMs;
  const cutoff = () => new Date(now().getTime() - ttlMs);
  const columns = {
    id: agentProposals.id,
    userId: agentProposals.userId,
    createdAt: agentProposals.createdAt,
    sessions: agentProposals.sessions,
    basis: agentProposals.basis,
  };
  return {
    async save(userId, sessions, basis) {
      const plan = newPlan(userId, sessions, basis, now());
      await orm.insert(agentProposals).values({
        id: plan.id,
        userId,
        createdAt: plan.createdAt,
        sessions: plan.sessions,
        basis: plan.basis,
      });
      const newest = orm
        .select({ id: agentProposals.id })
        .from(agentProposals)
        .where(eq(agentProposals.userId, userId))
        .orderBy(desc(agentProposals.seq))
        .limit(perUser);
      await orm
        .delete(agentProposals)
        .where(
          or(
            lte(agentProposals.createdAt, cutoff()),
            and(eq(agentProposals.userId, userId), notInArray(agentProposals.id, newest)),
          ),
        );
      return plan;
    },
    async get(userId, id) {
      if (!UUID.test(id)) return undefined;
      const rows = await orm
        .select(columns)
        .from(agentProposals)
        .where(
          and(
            eq(agentProposals.id, id),
            eq(agentProposals.userId, userId),
            gt(agentProposals.createdAt, cutoff()),
          ),
        );
      return rows[0] ? toPlan(rows[0]) : undefined;
    },
    async latest(userId) {
      const rows = await orm
        .select(columns)
        .from(agentProposals)
        .where(and(eq(agentProposals.userId, userId), gt(agentProposals.createdAt, cutoff())))
        .orderBy(desc(agentProposals.seq))
        .limit(1);
      return rows[0] ? toPlan(rows[0]) : undefined;
    },
  };
}
