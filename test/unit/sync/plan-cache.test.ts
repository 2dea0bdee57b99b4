import { strict as assert } from "node:assert";
import { PlanCache } from "../../../provider/sync/plan-cache";

describe("plan cache", () => {
  it("computes a plan once per key while it is held", async () => {
    const cache = new PlanCache<string>(2);
    let computed = 0;
    const plan = (key: string) => cache.get([key, 1], async () => `${key}:${++computed}`);
    assert.equal(await plan("a"), "a:1");
    assert.equal(await plan("a"), "a:1");
    assert.equal(computed, 1);
  });

  it("holds the most recently used plans only, however many memberships are planned, and computes an evicted one again", async () => {
    const cache = new PlanCache<string>(2);
    let computed = 0;
    const plan = (key: string) => cache.get([key], async () => `${key}:${++computed}`);
    await plan("a");
    await plan("b");
    await plan("a"); // a is now the most recent
    await plan("c"); // evicts b
    for (let i = 0; i < 100; i++) await plan(`m${i}`);
    assert.equal(cache.size, 2);
    assert.equal(await plan("m99"), "m99:103");
    assert.equal(await plan("b"), "b:104", "computed again after eviction");
  });
});
