/**
 * Where the sessions of one deadline should ideally fall. Distributed practice beats
 * massed practice, and the best gap between study sessions grows with how long the
 * material must be kept (Cepeda et al. 2006; 2008): for a test about a week away,
 * gaps of roughly 20-40 % of the time left work well. We use 30 %: each target leaves
 * 70 % of the time that remained at the previous one, so sessions start early, thin
 * out toward the deadline and never pile up on its last evening.
 */
const KEEP_FRACTION = 0.7;

/**
 * Spreading stops paying off far ahead of a deadline, and studying for something due
 * in two months crowds out what is due this week; so spacing starts at most this long
 * before the finish-by time, longer for higher priority (so it starts earlier).
 */
export function spreadWindowMs(priority: number): number {
  return (8 + 2 * priority) * 86_400_000;
}

/** Target instants (epoch ms) for `count` sessions between `fromMs` and `toMs`. */
export function spacingTargets(fromMs: number, toMs: number, count: number): number[] {
  const span = Math.max(0, toMs - fromMs);
  const targets: number[] = [];
  let left = span;
  for (let k = 0; k < count; k += 1) {
    targets.push(toMs - left);
    left *= KEEP_FRACTION;
  }
  return targets;
}
