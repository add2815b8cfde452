import { createHash } from 'node:crypto';
import type { StoredSession } from '../db/study-plan-repo.ts';
import type { PlannedSession } from '../planner/index.ts';
import type { PlanInputs } from './plan-inputs.ts';
import type { ProposalBasis } from './proposal-store.ts';

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** What a proposal depends on, one part each, so a stale one can say which part changed. */
export type BasisPart = Exclude<keyof ProposalBasis, 'from' | 'to'>;

/**
 * The fingerprint of everything a proposal was made from: the settings, the open deadlines
 * and the busy time over its window, and the study calendar's rows (every session, with the
 * student's pins and drops). Only what planning reads is hashed: a renamed assignment or an
 * event's new colour changes nothing. Read again over the same window, unchanged data gives
 * the same fingerprint, however much later.
 */
export function basisOf(inputs: PlanInputs, rows: readonly StoredSession[]): ProposalBasis {
  const deadlines = inputs.deadlines
    .filter((d) => inputs.open.has(d.sourceKey))
    .map((d) => [d.sourceKey, d.kind, d.dueAt?.toISOString(), d.pointsPossible, d.effortMinutes] as const)
    .sort((a, b) => byText(a[0], b[0]));
  const busy = inputs.busy.busy
    .map((b) => `${Date.parse(b.start)}|${Date.parse(b.end)}|${b.status ?? 'busy'}`)
    .sort(byText);
  const calendar = rows
    .map((r) => `${r.calendarId}|${r.deadlineKey}|${r.start.getTime()}|${r.end.getTime()}|${r.status}`)
    .sort(byText);
  return {
    from: inputs.window.from.toISOString(),
    to: inputs.window.to.toISOString(),
    settings: hash(inputs.preferences),
    deadlines: hash(deadlines),
    busy: hash(busy),
    calendar: hash(calendar),
  };
}

export const BASIS_PARTS: Record<BasisPart, string> = {
  settings: 'planner settings',
  deadlines: 'deadlines',
  busy: 'busy time',
  calendar:
    'the sessions on the study calendar (moved, deleted or pinned by the student, or rewritten since)',
};

/** The parts of `then` that differ in `now`. */
export function changedParts(then: ProposalBasis, now: ProposalBasis): BasisPart[] {
  return (Object.keys(BASIS_PARTS) as BasisPart[]).filter((part) => then[part] !== now[part]);
}

/**
 * Whether the study calendar holds exactly these sessions from `now` on (planned and pinned
 * alike): then applying the proposal writes nothing, so a calendar changed only by applying
 * it is no reason to call it stale.
 */
export function calendarHolds(
  onCalendar: readonly PlannedSession[],
  proposal: readonly PlannedSession[],
  now: Date,
): boolean {
  const keys = (list: readonly PlannedSession[]) =>
    list
      .filter((s) => Date.parse(s.start) >= now.getTime())
      .map((s) => `${s.deadlineId}|${Date.parse(s.start)}|${Date.parse(s.end)}`)
      .sort(byText);
  return JSON.stringify(keys(onCalendar)) === JSON.stringify(keys(proposal));
}
