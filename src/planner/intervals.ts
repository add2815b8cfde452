/**
 * Half-open intervals [start, end) on UTC epoch milliseconds. Every function returns a
 * new array that is sorted by start and has no overlapping or touching members, so the
 * results compose without re-normalising.
 */
export interface Interval {
  readonly start: number;
  readonly end: number;
}

/**
 * Sorts, drops empty intervals and joins overlapping or touching ones. A union does not
 * need to know which start belongs to which end, so starts and ends are sorted apart as
 * typed arrays (busy maps hold thousands of intervals) and swept with a depth count.
 */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  let n = 0;
  for (const i of intervals) if (i.end > i.start) n += 1;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  n = 0;
  for (const i of intervals) {
    if (i.end <= i.start) continue;
    starts[n] = i.start;
    ends[n] = i.end;
    n += 1;
  }
  starts.sort();
  ends.sort();
  const out: Interval[] = [];
  let s = 0;
  let e = 0;
  let depth = 0;
  let open = 0;
  while (e < n) {
    const nextStart = s < n ? (starts[s] ?? 0) : Number.POSITIVE_INFINITY;
    const nextEnd = ends[e] ?? 0;
    // On a tie the start goes first, so intervals that touch are joined.
    if (nextStart <= nextEnd) {
      if (depth === 0) open = nextStart;
      depth += 1;
      s += 1;
    } else {
      depth -= 1;
      e += 1;
      if (depth === 0) out.push({ start: open, end: nextEnd });
    }
  }
  return out;
}

/** The parts of `from` not covered by any of `remove`. */
export function subtractIntervals(from: readonly Interval[], remove: readonly Interval[]): Interval[] {
  const base = mergeIntervals(from);
  const cut = mergeIntervals(remove);
  const out: Interval[] = [];
  let j = 0;
  for (const piece of base) {
    let cursor = piece.start;
    // Cuts ending before this piece can never matter again: both lists are sorted.
    while (j < cut.length && (cut[j]?.end ?? 0) <= cursor) j += 1;
    let k = j;
    while (k < cut.length) {
      const c = cut[k];
      if (c === undefined || c.start >= piece.end) break;
      if (c.start > cursor) out.push({ start: cursor, end: c.start });
      cursor = Math.max(cursor, c.end);
      k += 1;
    }
    if (cursor < piece.end) out.push({ start: cursor, end: piece.end });
  }
  return out;
}

/** Time covered by both `a` and `b`. */
export function intersectIntervals(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const x = mergeIntervals(a);
  const y = mergeIntervals(b);
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const p = x[i];
    const q = y[j];
    if (p === undefined || q === undefined) break;
    const start = Math.max(p.start, q.start);
    const end = Math.min(p.end, q.end);
    if (end > start) out.push({ start, end });
    if (p.end < q.end) i += 1;
    else j += 1;
  }
  return out;
}

/** `intervals` cut to the window [start, end). */
export function clipIntervals(intervals: readonly Interval[], window: Interval): Interval[] {
  return intersectIntervals(intervals, [window]);
}

/** Each interval grown by `before` ms at its start and `after` ms at its end, then merged. */
export function padIntervals(intervals: readonly Interval[], before: number, after = before): Interval[] {
  return mergeIntervals(intervals.map((i) => ({ start: i.start - before, end: i.end + after })));
}

/** Total length in ms. */
export function totalLength(intervals: readonly Interval[]): number {
  return intervals.reduce((sum, i) => sum + Math.max(0, i.end - i.start), 0);
}

/** True when half-open `a` and `b` share any instant. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a.start < b.end && b.start < a.end;
}
