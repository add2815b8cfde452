import { PlannerPreferencesSchema } from '../planner/index.ts';
import type { PlanPreviewDeps } from '../study-plan/plan-preview.ts';
import type { AgentDeps } from './agent-deps.ts';

type Deadlines = Awaited<ReturnType<AgentDeps['deadlines']['list']>>;
type Busy = Awaited<ReturnType<AgentDeps['plannerBusy']>>;

/** Everything a plan is made from, read once over one window. */
export interface PlanInputs {
  window: { from: Date; to: Date };
  /** The stored settings, as read (the preview parses them again) and parsed. */
  rawPreferences: Record<string, unknown>;
  preferences: ReturnType<typeof PlannerPreferencesSchema.parse>;
  deadlines: Deadlines;
  busy: Busy;
  /** The deadlines the planner will plan for: open and due in the window. */
  open: Set<string>;
}

/**
 * Reads settings, deadlines and busy time over `window` (default: now over the planning
 * horizon, exactly what a preview at `now` reads), so the plan and what is said about its
 * inputs (the proposal's fingerprint) come from the same answers.
 */
export async function readPlanInputs(
  deps: Pick<AgentDeps, 'users' | 'deadlines' | 'plannerBusy'>,
  userId: string,
  now: Date,
  window?: { from: Date; to: Date },
): Promise<PlanInputs> {
  const rawPreferences = await deps.users.getPlannerPreferences(userId);
  const preferences = PlannerPreferencesSchema.parse(rawPreferences);
  const span = window ?? { from: now, to: new Date(now.getTime() + preferences.horizonDays * 86_400_000) };
  const [deadlines, busy] = await Promise.all([
    deps.deadlines.list(userId, { from: span.from, to: span.to }),
    deps.plannerBusy(userId, span.from, span.to),
  ]);
  const open = new Set(deadlines.filter((d) => !d.submitted && d.dueAt).map((d) => d.sourceKey));
  return { window: span, rawPreferences, preferences, deadlines, busy, open };
}

/** A preview over these inputs: it reads nothing again. */
export function previewOver(inputs: PlanInputs, solve: PlanPreviewDeps['solve']): PlanPreviewDeps {
  return {
    users: { getPlannerPreferences: async () => inputs.rawPreferences },
    deadlines: { list: async () => inputs.deadlines },
    busy: async () => inputs.busy,
    solve,
  };
}
