/**
 * Desired sets stored as deltas (what the program writes after a small change): the membership
 * provider plans from the delta alone, sends exactly the change, and a sync that stops part-way
 * still records the exact applied set, against the in-process simulator.
 */
import { strict as assert } from "node:assert";
import { setDigest, idSetFrom } from "../../../provider/plan";
import { harnessPerTest, idRange as ids } from "../../support/membership-harness";

const sorted = (xs: readonly string[]): string[] => [...xs].sort();

describe("membership provider: desired sets stored as deltas", function () {
  this.timeout(30_000);
  const h = harnessPerTest();

  const v1 = ids("a", 0, 400);
  const v2 = [...ids("a", 6, 400), ...ids("b", 0, 9)];

  it("plans a small change from the delta alone, sends exactly it, and a second up sends nothing", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    const news = await h.inputs("m", v2);
    const delta = await h.context.store().getDelta(news.desiredDigest);
    assert.equal(delta?.baseDigest, setDigest(idSetFrom(v1)), "the program stored v2 as a delta over v1");
    h.wholeReads.length = 0;
    const up = await h.up("m", v2);
    assert.equal(up.kind, "ok");
    assert.deepEqual(up.lines, ["m COOKIE: +9 −6 IDs (394 unchanged)", "m COOKIE: sent +9 −6 in 4 requests"]);
    assert.deepEqual(h.wholeReads, [], "neither set was read whole");
    assert.deepEqual(h.members(), sorted(v2));
    assert.equal(h.state.get("m")?.appliedCount, 403);
    assert.equal((await h.up("m", v2)).changes, false);
  });

  it("a sync that stops part-way records exactly what was accepted, and the next up converges", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    const v3 = [...ids("a", 40, 400), ...ids("c", 0, 50)]; // 40 removes, 50 adds: a delta still (≤ 1/4 of the set)
    assert.ok(await h.context.store().getDelta((await h.inputs("m", v3)).desiredDigest), "v3 is stored as a delta");
    // One request fails with a 5xx (not applied); the others in flight are accepted.
    h.sim.setFaults({ rate5xx: 1, routes: ["PATCH /v2/dp/audience"], count: 1 });
    const failed = await h.up("m", v3);
    assert.equal(failed.kind, "partial", String(failed.error));
    const held = h.state.get("m");
    assert.ok(held);
    const applied = await h.context.store().get(held.appliedDigest);
    assert.deepEqual(applied.toArray().sort(), h.members(), "the recorded applied set is exactly what the audience holds");
    assert.equal(held.appliedCount, h.members().length);
    assert.ok(held.lastSync.adds + held.lastSync.removes > 0, "some requests were accepted");
    assert.equal((await h.context.store().getDelta(held.appliedDigest))?.baseDigest, setDigest(idSetFrom(v1)), "the partial applied set is a delta over v1");
    h.sim.setFaults({});
    const next = await h.up("m", v3);
    assert.equal(next.kind, "ok");
    assert.deepEqual(h.members(), sorted(v3));
    assert.equal((await h.up("m", v3)).changes, false);
  });
});

describe("membership provider: deltas over sets larger than the plan memory budget", function () {
  this.timeout(30_000);
  // 2,000 bytes: a 400-ID membership is planned in windows, but a stored delta is still the plan.
  const h = harnessPerTest(2_000);

  const v1 = ids("a", 0, 400);
  const v3 = [...ids("a", 40, 400), ...ids("c", 0, 50)];

  it("a delta plan that stops part-way writes the applied set window by window, exactly, and the next up converges", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    assert.ok(await h.context.store().getDelta((await h.inputs("m", v3)).desiredDigest), "v3 is stored as a delta");
    h.wholeReads.length = 0;
    h.sim.setFaults({ rate5xx: 1, routes: ["PATCH /v2/dp/audience"], count: 1 });
    const failed = await h.up("m", v3);
    assert.equal(failed.kind, "partial", String(failed.error));
    assert.deepEqual(h.wholeReads, [], "the applied set was not read whole: it was read from its copy on disk, in windows");
    const held = h.state.get("m");
    assert.ok(held);
    assert.deepEqual((await h.context.store().get(held.appliedDigest)).toArray().sort(), h.members(), "the recorded applied set is exactly what the audience holds");
    h.sim.setFaults({});
    assert.equal((await h.up("m", v3)).kind, "ok");
    assert.deepEqual(h.members(), sorted(v3));
    assert.equal((await h.up("m", v3)).changes, false);
  });
});
