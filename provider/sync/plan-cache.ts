/**
 * Plans computed in `diff` and used again in `update` (or `create`) within one provider process:
 * keyed by everything the plan depends on (digests of the sets, sync attempt and record stage),
 * so a key names one plan for good and entries never go stale. The cache holds the most recently
 * used plans only: a preview diffs every changed membership and updates none, and a plan holds
 * its sets, so a cache that kept them all would grow with the catalog. An evicted plan is
 * computed again when its update comes.
 */
import { LruMap } from "../util/lru-map";

/** Plans a provider keeps at most. */
export const PLAN_CACHE_CAPACITY = 64;

export class PlanCache<T> {
  private readonly entries: LruMap<string, T>;

  /** @param capacity plans kept at most. @default {@link PLAN_CACHE_CAPACITY} */
  constructor(capacity = PLAN_CACHE_CAPACITY) {
    this.entries = new LruMap(capacity);
  }

  /** The plan for `key`, computed by `compute` when it is not held. */
  async get(key: readonly unknown[], compute: () => Promise<T>): Promise<T> {
    const k = key.join(">");
    const cached = this.entries.get(k);
    if (cached !== undefined) return cached;
    const computed = await compute();
    this.entries.set(k, computed);
    return computed;
  }

  /** Plans held now. */
  get size(): number {
    return this.entries.size;
  }
}
