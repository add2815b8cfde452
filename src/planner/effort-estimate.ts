import type { ItemKind } from './planner-input.ts';

/**
 * Base minutes per kind, plus minutes per point possible, clamped to a range. The
 * numbers are deliberately round: they are a starting point the student overrides,
 * and a plan that is roughly right on day one beats asking for every estimate.
 */
const MODEL: Record<ItemKind, { base: number; perPoint: number; min: number; max: number }> = {
  assignment: { base: 60, perPoint: 1.5, min: 45, max: 600 },
  quiz: { base: 45, perPoint: 1, min: 30, max: 180 },
  exam: { base: 240, perPoint: 1, min: 180, max: 900 },
  discussion: { base: 30, perPoint: 0.5, min: 30, max: 90 },
  project: { base: 240, perPoint: 2, min: 180, max: 1500 },
  reading: { base: 60, perPoint: 0, min: 30, max: 240 },
  // Lectures and other calendar events need no preparation by default.
  event: { base: 0, perPoint: 0, min: 0, max: 0 },
};

/** Estimated effort in whole minutes, a multiple of 15; points may be unknown. */
export function estimateEffortMinutes(item: { kind: ItemKind; pointsPossible?: number | null }): number {
  const m = MODEL[item.kind];
  const points = item.pointsPossible ?? 0;
  const raw = m.base + m.perPoint * Math.max(0, points);
  const clamped = Math.min(m.max, Math.max(m.min, raw));
  return Math.round(clamped / 15) * 15;
}
