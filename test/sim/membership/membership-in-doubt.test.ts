/**
 * In-doubt tracking of the membership provider, called as the engine would, against the
 * in-process simulator: a patch that may have reached Amazon is never forgotten, whatever the
 * spec says by the next up.
 */
import { strict as assert } from "node:assert";
import { harnessPerTest, idRange as ids } from "../../support/membership-harness";

const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const PATCH = ["PATCH /v2/dp/audience"];

describe("membership provider: in-doubt tracking against the simulator", function () {
  this.timeout(30_000);
  const h = harnessPerTest();

  const v1 = ids("a", 0, 20);
  const v2 = [...ids("a", 0, 10), ...ids("b", 0, 12)];

  it("applied-then-5xx, then the spec is reverted: the next up removes what was applied, and preview says so", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    // Every patch of the change to v2 is applied by Amazon and answered 500.
    h.sim.setFaults({ rate5xx: 1, applyThenFail: true, routes: PATCH, count: 100 });
    const failed = await h.up("m", v2);
    assert.equal(failed.kind, "partial");
    assert.match(String((failed.error as Error).message), /Amazon accepted \+0 −0 of \+12 −10 in 0 requests/);
    assert.match(String((failed.error as Error).message), /12 IDs are in doubt \(sent, but the answer did not say whether Amazon applied them\)/);
    assert.equal(h.state.get("m")?.inDoubtCount, 12, "the 3 requests in flight (4 patches each) failed; the rest were never sent");
    h.sim.setFaults({});
    // The PR is reverted: the spec is v1 again, and the state's applied set is v1 too.
    const revert = await h.up("m", v1);
    assert.equal(revert.changes, true, "in-doubt IDs make a change even though applied = desired");
    assert.deepEqual(revert.lines, ["m COOKIE: +10 −2 IDs (10 unchanged; 12 of them re-sent after an interrupted up: +10 −2)", "m COOKIE: sent +10 −2 in 3 requests (12 of them re-sent)"]);
    assert.deepEqual(revert.sent, { adds: 10, removes: 2 }, "exactly what the preview said");
    assert.deepEqual(h.members(), sorted(v1));
    assert.equal(h.state.get("m")?.inDoubtCount, 0);
    assert.equal((await h.up("m", v1)).changes, false, "a second up changes nothing");
  });

  it("killed after sending (no answer, no state): a changed spec converges exactly in one up", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    const killed = await h.up("m", v2, { kind: "after-requests", n: 2 });
    assert.equal(killed.kind, "killed");
    const reached = h.members();
    assert.notDeepEqual(reached, sorted(v1), "some patches reached Amazon");
    // State still says v1 applied. A third spec, neither v1 nor v2:
    const v3 = [...ids("a", 5, 20), ...ids("c", 0, 3)];
    const next = await h.up("m", v3);
    assert.equal(next.kind, "ok");
    assert.match(next.lines[0] ?? "", /^m COOKIE: \+\d+ −\d+ IDs \(\d+ unchanged; 22 of them re-sent after an interrupted up: \+\d+ −\d+\)$/);
    assert.deepEqual(h.members(), sorted(v3));
  });

  it("killed after the answers but before the state was written: plans from the record, not the stale state", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    assert.equal((await h.up("m", v2, { kind: "before-state" })).kind, "killed");
    assert.deepEqual(h.members(), sorted(v2));
    const back = await h.up("m", v1);
    // The record proved v2 applied: exactly v2 → v1, nothing in doubt.
    assert.deepEqual(back.lines, ["m COOKIE: +10 −12 IDs (10 unchanged)", "m COOKIE: sent +10 −12 in 6 requests"]);
    assert.deepEqual(h.members(), sorted(v1));
  });

  it("a create killed mid-sync, then created again with another spec (after refresh --clear-pending-creates)", async () => {
    assert.equal((await h.up("m", v1, { kind: "after-requests", n: 1 })).kind, "killed");
    assert.equal(h.state.has("m"), false);
    assert.ok(h.members().length > 0);
    const again = await h.up("m", v2);
    assert.equal(again.kind, "ok");
    assert.match(again.lines[0] ?? "", /20 of them re-sent after an interrupted up/);
    assert.deepEqual(h.members(), sorted(v2));
  });

  it("a dropped connection leaves its patches in doubt; a 4xx rejection does not", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    h.sim.setFaults({ dropRate: 1, routes: PATCH, count: 1 });
    assert.equal((await h.up("m", v2)).kind, "partial");
    assert.equal(h.state.get("m")?.inDoubtCount, 4, "one request dropped; the other two in flight were answered");
    h.sim.setFaults({});
    const revert = await h.up("m", v1);
    assert.match(revert.lines[0] ?? "", /; 4 of them re-sent after an interrupted up: \+\d+ −\d+\)$/);
    assert.deepEqual(h.members(), sorted(v1));
  });

  it("a delete removes the applied set and every in-doubt ID", async () => {
    assert.equal((await h.up("m", v1)).kind, "ok");
    assert.equal((await h.up("m", v2, { kind: "after-requests", n: 3 })).kind, "killed");
    assert.equal((await h.destroy("m")).kind, "ok");
    assert.deepEqual(h.members(), []);
  });

  it("ownership: when a new membership takes over an audience, the old one's delete removes nothing the new one wants", async () => {
    // The old membership (spec key "old") owns the audience; a rename makes "new" manage it.
    assert.equal((await h.up("old", v1)).kind, "ok");
    const created = await h.up("new", v2);
    assert.equal(created.kind, "ok");
    assert.deepEqual(
      created.lines,
      ["new COOKIE: +12 −10 IDs (10 unchanged)", `new COOKIE: takes over audience ${h.audienceId} from "old", planning from what it left`],
      "planned from what the old one left",
    );
    const deleted = await h.destroy("old");
    assert.equal(deleted.kind, "ok");
    assert.deepEqual(deleted.lines, [`old COOKIE: audience ${h.audienceId} is now managed by "new"; nothing removed`]);
    assert.deepEqual(h.members(), sorted(v2));
  });
});
