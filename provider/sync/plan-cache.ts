/**
 * Plans computed in `diff` and used again in `update` (or `create`) within one provider process:
 * keyed by everything the plan depends on (digests of the sets, sync attempt and record stage),
 * so a key names one plan for good and entries never go stale. The cache holds the most recently
 * used plans only: a preview diffs every changed membership and updates none, and a plan holds
 * its sets, so a cache that kept them all would grow with the catalog. An evicted plan is
 * computed again when its update comes.
 */
export class PlanCache<T> {
  private readonly entries = new Map<string, T>();

  /** @param capacity plans kept at most. @default 64 */
  constructor(private readonly capacity = 64) {}

  /** The plan for `key`, computed by `compute` when it is not held. */
  async get(key: readonly unknown[], compute: () => Promise<T>): Promise<T> {
    const k = key.join(">");
    const cached = this.entries.get(k);
    if (cached !== undefined) {
      // Most recently used last: a Map iterates in insertion order.
      this.entries.delete(k);
      this.entries.set(k, cached);
      return cached;
    }
    const computed = await compute();
    this.entries.set(k, computed);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
    return computed;
  }

  /** Plans held now. */
  get size(): number {
    return this.entries.size;
  }
}
