import { seededRandom } from '../shared/seeded-random.ts';
import type { FaultKind, RandomFaultOptions } from './emulator-control.ts';

const DEFAULT_KINDS: FaultKind[] = [500, 503, 429, 403];
const KINDS = new Set<unknown>([500, 503, 429, 403, 'userRateLimit', 'reset']);

/** Decides, call by call, whether a random fault strikes; the same seed and calls give the same faults. */
export class RandomFaults {
  private active: { options: RandomFaultOptions; kinds: FaultKind[]; next: () => number } | undefined;

  /** Starts (or restarts from the seed) random faults; `undefined` stops them. Options are checked here. */
  configure(options: RandomFaultOptions | undefined): void {
    if (options === undefined || options === null) {
      this.active = undefined;
      return;
    }
    const { rate, seed, kinds = DEFAULT_KINDS, methods } = options;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1))
      throw new Error('rate must be between 0 and 1');
    if (!Number.isInteger(seed)) throw new Error('seed must be an integer');
    if (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => KINDS.has(k)))
      throw new Error('kinds must be a non-empty list of 500, 503, 429, 403, "userRateLimit", "reset"');
    if (methods !== undefined && (!Array.isArray(methods) || !methods.every((m) => typeof m === 'string')))
      throw new Error('methods must be a list of method ids');
    this.active = { options, kinds: [...kinds], next: seededRandom(seed) };
  }

  /**
   * The fault for this call, if one strikes; draws from the sequence only for matching
   * methods. An `onlyWhenListed` method (OAuth's) matches only when `methods` lists it or `*`.
   */
  draw(method: string, onlyWhenListed = false): FaultKind | undefined {
    const active = this.active;
    if (!active) return undefined;
    const { methods } = active.options;
    if (onlyWhenListed && !methods) return undefined;
    if (methods && !methods.includes(method) && !methods.includes('*')) return undefined;
    if (active.next() >= active.options.rate) return undefined;
    return active.kinds[Math.floor(active.next() * active.kinds.length)];
  }
}
