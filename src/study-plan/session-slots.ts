/** A session of the new plan, not yet tied to an event. */
export interface PlanSession {
  readonly deadlineId: string;
  readonly start: string;
  readonly end: string;
}

/** A slot already written (any status): its key is taken for good for its deadline. */
export interface WrittenSlot {
  readonly deadlineKey: string;
  readonly slotKey: string;
  readonly start: Date;
  readonly end: Date;
  readonly status: 'planned' | 'pinned' | 'dropped';
}

export interface SlottedSession extends PlanSession {
  readonly slotKey: string;
}

const ordinal = (slotKey: string) => Number(/^s(\d+)$/.exec(slotKey)?.[1] ?? 0);

/**
 * Ties each session of a new plan to a slot, the stable part of its event id, so that the
 * calendar changes by as few calls as possible: a session identical to a `planned` slot
 * keeps it (no call), a moved session takes a freed `planned` slot of the same deadline
 * (one patch), and only what is left gets a fresh slot (one insert). Freed slots nobody
 * took are the deletes. Pinned and dropped slots are never handed out: a slot the student
 * deleted is never recreated. Pure and deterministic.
 */
export function assignSlots(
  plan: readonly PlanSession[],
  written: readonly WrittenSlot[],
): { sessions: SlottedSession[]; freed: WrittenSlot[] } {
  const planned = written.filter((w) => w.status === 'planned');
  const taken = new Set<WrittenSlot>();
  const out: Array<SlottedSession | undefined> = plan.map(() => undefined);
  plan.forEach((session, index) => {
    const same = planned.find(
      (w) =>
        !taken.has(w) &&
        w.deadlineKey === session.deadlineId &&
        w.start.getTime() === Date.parse(session.start) &&
        w.end.getTime() === Date.parse(session.end),
    );
    if (same) {
      taken.add(same);
      out[index] = { ...session, slotKey: same.slotKey };
    }
  });
  const next = new Map<string, number>();
  for (const w of written)
    next.set(w.deadlineKey, Math.max(next.get(w.deadlineKey) ?? 0, ordinal(w.slotKey)));
  const byStart = (a: { start: Date }, b: { start: Date }) => a.start.getTime() - b.start.getTime();
  const order = plan
    .map((session, index) => ({ session, index }))
    .filter(({ index }) => out[index] === undefined)
    .sort((a, b) => Date.parse(a.session.start) - Date.parse(b.session.start));
  for (const { session, index } of order) {
    const free = planned
      .filter((w) => !taken.has(w) && w.deadlineKey === session.deadlineId)
      .sort(byStart)[0];
    if (free) {
      taken.add(free);
      out[index] = { ...session, slotKey: free.slotKey };
      continue;
    }
    const n = (next.get(session.deadlineId) ?? 0) + 1;
    next.set(session.deadlineId, n);
    out[index] = { ...session, slotKey: `s${n}` };
  }
  return {
    sessions: out.filter((s): s is SlottedSession => s !== undefined),
    freed: planned.filter((w) => !taken.has(w)),
  };
}
