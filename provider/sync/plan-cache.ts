/**
 * Plans computed in `diff` and used again in `update` (or `create`) within one provider process:
 * keyed by everything the plan depends on (digests of the sets, sync attempt and record stage),
 * so a key names one plan for good and entries never go stale.
 */
export class PlanCache<T> {
  private readonly entries = new Map<string, T>();

  /** The plan for `key`, computed by `compute` the first time. */
  async get(key: readonly unknown[], compute: () => Promise<T>): Promise<T> {
    const k = key.join(">");
    const cached = this.entries.get(k);
    if (cached !== undefined) return cached;
    const computed = await compute();
    this.entries.set(k, computed);
    return computed;
  }
}
