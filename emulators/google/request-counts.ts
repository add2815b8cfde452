export interface RequestCountSnapshot {
  total: number;
  byMethod: Record<string, number>;
  byOutcome: Record<string, number>;
}

/** Every request the emulator answered, by method id and by `"<method> <status>"` (or `reset`). */
export class RequestCounts {
  private counts: RequestCountSnapshot = { total: 0, byMethod: {}, byOutcome: {} };

  count(method: string, outcome: number | 'reset'): void {
    const key = `${method} ${outcome}`;
    this.counts.total += 1;
    this.counts.byMethod[method] = (this.counts.byMethod[method] ?? 0) + 1;
    this.counts.byOutcome[key] = (this.counts.byOutcome[key] ?? 0) + 1;
  }

  snapshot(): RequestCountSnapshot {
    return structuredClone(this.counts);
  }

  reset(): void {
    this.counts = { total: 0, byMethod: {}, byOutcome: {} };
  }
}
