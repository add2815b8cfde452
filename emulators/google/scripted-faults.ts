import type { FaultKind, LatencyOptions } from './emulator-control.ts';

interface Rule<T> {
  method: string;
  value: T;
  remaining: number;
}

const matches = (rule: Rule<unknown>, method: string) =>
  rule.remaining > 0 && (rule.method === method || rule.method === '*');

/** Faults and latency scripted by the control API, used up call by call in the order they were set. */
export class ScriptedFaults {
  private readonly faults: Array<Rule<FaultKind>> = [];
  private latency: Array<Rule<number>> = [];
  private readonly holding = new Map<string, number>();

  failNext(method: string, kind: FaultKind, count = 1): void {
    this.faults.push({ method, value: kind, remaining: count });
  }

  /**
   * `setLatency(ms)` delays every request from now on (and drops earlier latency rules; 0 stops
   * them); with `method` and/or `count`, adds a rule for the next `count` requests of `method`.
   */
  setLatency(ms: number, options: LatencyOptions = {}): void {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('latency must be a non-negative number of ms');
    const { method = '*', count = Number.POSITIVE_INFINITY } = options;
    if (typeof method !== 'string') throw new Error('method must be a method id or *');
    if (count !== Number.POSITIVE_INFINITY && !(Number.isInteger(count) && count > 0))
      throw new Error('count must be a positive integer');
    if (options.method === undefined && options.count === undefined) this.latency = [];
    if (ms > 0) this.latency.push({ method, value: ms, remaining: count });
  }

  /** Uses up the first scripted fault for `method`: a connection reset, or any other kind. */
  takeFault(method: string, reset: boolean): FaultKind | undefined {
    const rule = this.faults.find((f) => matches(f, method) && (f.value === 'reset') === reset);
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.value;
  }

  /** Uses up the first scripted fault for `method`, whatever its kind (calls that are never batch parts). */
  takeAnyFault(method: string): FaultKind | undefined {
    const rule = this.faults.find((f) => matches(f, method));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.value;
  }

  /** Milliseconds to hold this request of `method` before answering it (0: none). */
  takeLatency(method: string): number {
    const rule = this.latency.find((r) => matches(r, method));
    if (!rule) return 0;
    rule.remaining -= 1;
    return rule.value;
  }

  /** Holds a request of `method` for `ms` with `sleep`, counted in `held()` meanwhile. */
  async hold(method: string, ms: number, sleep: (ms: number) => Promise<void>): Promise<void> {
    this.holding.set(method, (this.holding.get(method) ?? 0) + 1);
    try {
      await sleep(ms);
    } finally {
      const left = (this.holding.get(method) ?? 1) - 1;
      if (left > 0) this.holding.set(method, left);
      else this.holding.delete(method);
    }
  }

  /** Requests being held right now, by method. */
  held(): Record<string, number> {
    return Object.fromEntries(this.holding);
  }

  clear(): void {
    this.faults.length = 0;
    this.latency = [];
  }
}
