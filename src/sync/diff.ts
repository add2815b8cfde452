import type { DesiredEvent } from './desired-events.ts';

/** What we last wrote to Google for one source item. */
export interface EventMapping {
  sourceKey: string;
  googleEventId: string;
  contentHash: string;
  /** The student moved or deleted the event in Google; kept as they left it while Canvas is unchanged. */
  userEdit?: 'moved' | 'deleted' | null;
}

export interface SyncPlan {
  inserts: DesiredEvent[];
  patches: Array<{ desired: DesiredEvent; mapping: EventMapping }>;
  deletes: EventMapping[];
  unchanged: number;
  /** Unchanged items whose event the student moved or deleted: left as the student left them. */
  keptUserEdits: number;
}

/**
 * Desired state against what we last wrote: only differences become calls. Deletions are
 * planned only when `deleteMissing` is true, which the caller sets after a complete,
 * successful read of Canvas; an incomplete read must never look like "everything vanished".
 * `keep` names items that are missing for a known, temporary reason (a course that hid its
 * assignments): they are neither deleted nor rewritten.
 */
export function planSync(
  desired: readonly DesiredEvent[],
  mappings: readonly EventMapping[],
  options: { deleteMissing: boolean; keep?: ReadonlySet<string> },
): SyncPlan {
  const bySource = new Map(mappings.map((mapping) => [mapping.sourceKey, mapping]));
  const seen = new Set<string>();
  const plan: SyncPlan = { inserts: [], patches: [], deletes: [], unchanged: 0, keptUserEdits: 0 };
  for (const event of desired) {
    if (seen.has(event.sourceKey)) continue;
    seen.add(event.sourceKey);
    const mapping = bySource.get(event.sourceKey);
    if (!mapping) plan.inserts.push(event);
    else if (mapping.contentHash !== event.contentHash) plan.patches.push({ desired: event, mapping });
    else {
      plan.unchanged += 1;
      if (mapping.userEdit) plan.keptUserEdits += 1;
    }
  }
  if (options.deleteMissing) {
    for (const mapping of mappings)
      if (!seen.has(mapping.sourceKey) && !options.keep?.has(mapping.sourceKey)) plan.deletes.push(mapping);
  }
  return plan;
}
