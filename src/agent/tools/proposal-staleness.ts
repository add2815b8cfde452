import type { CalendarPlan } from '../../study-plan/calendar-plan.ts';
import type { StudyPlanPreview } from '../../study-plan/plan-preview.ts';
import type { AgentDeps } from '../agent-deps.ts';
import { readPlanInputs } from '../plan-inputs.ts';
import { BASIS_PARTS, basisOf, calendarHolds, changedParts } from '../proposal-basis.ts';
import type { ProposalBasis, StoredPlan } from '../proposal-store.ts';

/**
 * Why a proposal may not be applied as it is, or undefined when it may: every input it was
 * made from (settings, deadlines and busy time over its window, the study calendar's sessions
 * with the student's pins and drops) reads the same now, and re-planning from it moves nothing.
 * A calendar changed only by applying this very proposal (it holds exactly its sessions) is
 * no change: applying again is allowed and writes nothing.
 */
export async function staleReason(options: {
  deps: Pick<AgentDeps, 'users' | 'deadlines' | 'plannerBusy'>;
  userId: string;
  now: Date;
  proposal: StoredPlan;
  /** The inputs read for this call, over the window from now. */
  basis: ProposalBasis;
  calendar: CalendarPlan | undefined;
  /** The re-plan from the proposal over the current inputs. */
  plan: StudyPlanPreview;
}): Promise<string | undefined> {
  const { proposal, basis, calendar } = options;
  const then = proposal.basis;
  if (!then)
    return 'it is a plan get_study_plan showed, not a reschedule_conflicts proposal, so what it was made from is not known';
  // The same window as the proposal's, so time passing alone changes nothing.
  const current =
    then.from === basis.from && then.to === basis.to
      ? basis
      : basisOf(
          await readPlanInputs(options.deps, options.userId, options.now, {
            from: new Date(then.from),
            to: new Date(then.to),
          }),
          calendar?.rows ?? [],
        );
  const changed = changedParts(then, current).filter(
    (part) => part !== 'calendar' || !calendarHolds(calendar?.sessions ?? [], proposal.sessions, options.now),
  );
  if (changed.length > 0)
    return `${changed.map((part) => BASIS_PARTS[part]).join(', ')} changed since it was made`;
  const { added, removed } = options.plan.changes;
  if (added.length > 0 || removed.length > 0) return 're-planning from it now would move sessions';
  return undefined;
}
