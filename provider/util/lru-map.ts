/**
 * A map that keeps its `capacity` most recently used entries and drops the oldest beyond that:
 * for caches whose keys would otherwise grow with a stack (plans, open stores, program folders).
 */
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  /** @param capacity entries kept at most (at least 1) */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`an LRU map keeps at least 1 entry (got ${capacity})`);
  }

  /** The value for `key`, now the most recently used; undefined when not held. */
  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    // Most recently used last: a Map iterates in insertion order.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Holds `value` for `key` as the most recently used, dropping the least recently used beyond the capacity. */
  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Entries held now. */
  get size(): number {
    return this.entries.size;
  }
}
