import { seededRandom } from '../shared/seeded-random.ts';
import type { RandomFaults } from './canvas-control.ts';

// Leaky bucket per token, as Canvas throttles: a high-water mark, a leak rate, and an
// up-front charge per request in flight that is refunded when it ends.
export const HIGH_WATER = 700;
const LEAK_PER_SECOND = 10;
export const UPFRONT_COST = 50;

interface Bucket {
  level: number;
  at: number;
  inFlight: number;
}

/** Canvas's throttling state per token, and the faults a test scripted. */
export class CanvasFaults {
  private readonly buckets = new Map<string, Bucket>();
  private readonly next: Array<{
    prefix: string;
    status: number;
    remaining: number;
    laterPagesOnly: boolean;
  }> = [];
  private throttle = 0;
  private random: { next: () => number; throttleRate: number; serverErrorRate: number } | undefined;
  latencyMs = 0;
  /** Whether the leaky bucket applies (Canvas exempts some requests; then no remaining header). */
  throttling = true;

  constructor(private readonly now: () => number) {}

  failNext(prefix: string, status: number, count: number, laterPagesOnly = false): void {
    this.next.push({ prefix, status, remaining: count, laterPagesOnly });
  }

  /** Drops every scripted and random fault (the bucket levels stay). */
  clear(): void {
    this.next.length = 0;
    this.throttle = 0;
    this.random = undefined;
    this.latencyMs = 0;
  }

  throttleNext(count: number): void {
    this.throttle += count;
  }

  setRandom(faults: RandomFaults | null): void {
    this.random = faults
      ? {
          next: seededRandom(faults.seed),
          throttleRate: faults.throttleRate ?? 0,
          serverErrorRate: faults.serverErrorRate ?? 0,
        }
      : undefined;
  }

  fill(token: string, level: number): void {
    this.bucket(token).level = Math.max(0, Math.min(HIGH_WATER, level));
  }

  /**
   * Starts a request: throttled (false) when the bucket, with this request's up-front charge
   * added to those of the requests still in flight, would pass the high-water mark, or when a
   * test asked for it. An admitted request holds its charge until `settle` (the answer is
   * finished or the connection closed), so parallel requests pay more than serial ones.
   */
  admit(token: string): boolean {
    const bucket = this.bucket(token);
    const roll = this.random?.next() ?? 1;
    if (this.throttle > 0 || roll < (this.random?.throttleRate ?? 0)) {
      this.throttle = Math.max(0, this.throttle - 1);
      return false;
    }
    if (this.throttling && bucket.level + UPFRONT_COST * (bucket.inFlight + 1) > HIGH_WATER) return false;
    bucket.inFlight += 1;
    return true;
  }

  /** What would be left of the bucket once this in-flight request settles at `cost`. */
  remaining(token: string, cost: number): number {
    const bucket = this.bucket(token);
    return HIGH_WATER - bucket.level - cost - UPFRONT_COST * Math.max(0, bucket.inFlight - 1);
  }

  /** Ends an admitted request (once): refunds the up-front charge and charges the real cost. */
  settle(token: string, cost: number): void {
    const bucket = this.bucket(token);
    bucket.inFlight = Math.max(0, bucket.inFlight - 1);
    bucket.level += cost;
  }

  /** A scripted or random failure status for this request, if any. */
  failure(url: URL): number | undefined {
    const laterPage = url.searchParams.has('page') && url.searchParams.get('page') !== '1';
    const fault = this.next.find(
      (f) => f.remaining > 0 && url.pathname.startsWith(f.prefix) && (!f.laterPagesOnly || laterPage),
    );
    if (fault) {
      fault.remaining -= 1;
      return fault.status;
    }
    if (this.random && this.random.next() < this.random.serverErrorRate)
      return 500 + Math.floor(this.random.next() * 4);
    return undefined;
  }

  private bucket(token: string): Bucket {
    const bucket = this.buckets.get(token) ?? { level: 0, at: this.now(), inFlight: 0 };
    bucket.level = Math.max(0, bucket.level - ((this.now() - bucket.at) / 1000) * LEAK_PER_SECOND);
    bucket.at = this.now();
    this.buckets.set(token, bucket);
    return bucket;
  }
}
