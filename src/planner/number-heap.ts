/**
 * A binary min-heap of (key, value) number pairs in flat arrays: the solver pushes and
 * pops hundreds of thousands of entries per plan, and objects per entry would dominate.
 * Ties on key pop in no promised order, so callers fold their tie-break into the key.
 */
export class NumberHeap {
  private keys: number[] = [];
  private values: number[] = [];
  // Entries live in [0, n); the arrays keep their length so clearing costs nothing.
  private n = 0;

  get size(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
  }

  /** Key of the smallest entry; Infinity when empty. */
  topKey(): number {
    return this.n > 0 ? (this.keys[0] ?? 0) : Number.POSITIVE_INFINITY;
  }

  /** Value of the smallest entry; -1 when empty. */
  topValue(): number {
    return this.n > 0 ? (this.values[0] ?? -1) : -1;
  }

  push(key: number, value: number): void {
    const keys = this.keys;
    const values = this.values;
    let i = this.n;
    this.n += 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent] ?? 0;
      if (pk <= key) break;
      keys[i] = pk;
      values[i] = values[parent] ?? 0;
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }

  /** Removes the smallest entry and returns its value; -1 when empty. */
  pop(): number {
    const keys = this.keys;
    const values = this.values;
    const n = this.n;
    if (n === 0) return -1;
    const top = values[0] ?? -1;
    const lastKey = keys[n - 1] ?? 0;
    const lastValue = values[n - 1] ?? 0;
    this.n = n - 1;
    const size = n - 1;
    if (size === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= size) break;
      const right = left + 1;
      let child = left;
      if (right < size && (keys[right] ?? 0) < (keys[left] ?? 0)) child = right;
      const ck = keys[child] ?? 0;
      if (ck >= lastKey) break;
      keys[i] = ck;
      values[i] = values[child] ?? 0;
      i = child;
    }
    keys[i] = lastKey;
    values[i] = lastValue;
    return top;
  }
}
