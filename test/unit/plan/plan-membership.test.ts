import { strict as assert } from "node:assert";
import fc from "fast-check";
import { applyPlan, IdSet, idSetFrom, planMembership, setDigest } from "../../../provider/plan";
import {
  caseBlindFingerprinter,
  collidingFingerprinter,
  fingerprinterArbitrary,
  idListArbitrary,
  sortedUnique,
  withFingerprinter,
} from "../../support/id-arbitraries";

/** Two ID lists that overlap a lot, plus a fingerprinter. */
const scenarioArbitrary = fc.record({
  shared: idListArbitrary,
  onlyApplied: idListArbitrary,
  onlyDesired: idListArbitrary,
  fingerprinter: fingerprinterArbitrary,
});

describe("planMembership", () => {
  it("agrees with a naive Set-based diff", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ shared, onlyApplied, onlyDesired, fingerprinter }) => {
        const appliedIds = [...shared, ...onlyApplied];
        const desiredIds = [...onlyDesired, ...shared];
        const options = withFingerprinter(fingerprinter);
        const plan = planMembership(idSetFrom(appliedIds, options), idSetFrom(desiredIds, options));
        const applied = new Set(appliedIds);
        const desired = new Set(desiredIds);
        assert.deepEqual(plan.adds.toArray().sort(), sortedUnique(desiredIds.filter((id) => !applied.has(id))));
        assert.deepEqual(plan.removes.toArray().sort(), sortedUnique(appliedIds.filter((id) => !desired.has(id))));
        assert.equal(plan.addCount, plan.adds.size);
        assert.equal(plan.removeCount, plan.removes.size);
        assert.equal(plan.unchangedCount, [...desired].filter((id) => applied.has(id)).length);
        assert.equal(plan.isNoOp, plan.addCount === 0 && plan.removeCount === 0);
      }),
    );
  });

  it("turns the applied set into the desired set when carried out", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ shared, onlyApplied, onlyDesired, fingerprinter }) => {
        const options = withFingerprinter(fingerprinter);
        const applied = idSetFrom([...shared, ...onlyApplied], options);
        const desired = idSetFrom([...shared, ...onlyDesired], options);
        const result = applyPlan(applied, planMembership(applied, desired));
        assert.equal(setDigest(result), setDigest(desired));
        assert.deepEqual(result.toArray(), desired.toArray());
      }),
    );
  });

  it("never adds and removes the same ID; adds come from desired, removes from applied", () => {
    fc.assert(
      fc.property(scenarioArbitrary, ({ shared, onlyApplied, onlyDesired, fingerprinter }) => {
        const options = withFingerprinter(fingerprinter);
        const applied = idSetFrom([...shared, ...onlyApplied], options);
        const desired = idSetFrom([...shared, ...onlyDesired], options);
        const plan = planMembership(applied, desired);
        const removes = new Set(plan.removes);
        for (const id of plan.adds) {
          assert.ok(!removes.has(id));
          assert.ok(desired.has(id) && !applied.has(id));
        }
        for (const id of removes) assert.ok(applied.has(id) && !desired.has(id));
      }),
    );
  });

  it("plans nothing for a set against itself or an equal set", () => {
    fc.assert(
      fc.property(idListArbitrary, fingerprinterArbitrary, (ids, fingerprinter) => {
        const options = withFingerprinter(fingerprinter);
        const set = idSetFrom(ids, options);
        for (const other of [set, idSetFrom([...ids].reverse(), options)]) {
          const plan = planMembership(set, other);
          assert.ok(plan.isNoOp);
          assert.equal(plan.unchangedCount, set.size);
        }
      }),
    );
  });

  it("adds everything to an empty applied set and removes everything for an empty desired set", () => {
    const set = idSetFrom(["a", "b", "c"]);
    assert.deepEqual(planMembership(IdSet.empty(), set).adds.toArray().sort(), ["a", "b", "c"]);
    assert.deepEqual(planMembership(set, IdSet.empty()).removes.toArray().sort(), ["a", "b", "c"]);
  });

  it("tells colliding IDs apart by their bytes (exact, not probabilistic)", () => {
    // Same length, so the same fingerprint under the colliding fingerprinter.
    const applied = idSetFrom(["aa", "bb"], { fingerprinter: collidingFingerprinter });
    const desired = idSetFrom(["bb", "cc"], { fingerprinter: collidingFingerprinter });
    const plan = planMembership(applied, desired);
    assert.deepEqual(plan.adds.toArray(), ["cc"]);
    assert.deepEqual(plan.removes.toArray(), ["aa"]);
    assert.ok(plan.fingerprintCollisions > 0);
  });

  it("treats IDs that differ only in case as different IDs", () => {
    const applied = idSetFrom(["abc", "DEF"], { fingerprinter: caseBlindFingerprinter });
    const desired = idSetFrom(["ABC", "DEF"], { fingerprinter: caseBlindFingerprinter });
    const plan = planMembership(applied, desired);
    assert.deepEqual(plan.adds.toArray(), ["ABC"]);
    assert.deepEqual(plan.removes.toArray(), ["abc"]);
  });

  it("refuses sets fingerprinted differently", () => {
    assert.throws(
      () => planMembership(idSetFrom(["a"]), idSetFrom(["a"], { fingerprinter: collidingFingerprinter })),
      /fingerprint algorithms/,
    );
  });

  it("applies a plan only to the set it was made for", () => {
    const plan = planMembership(idSetFrom(["a"]), idSetFrom(["b"]));
    assert.throws(() => applyPlan(idSetFrom(["a"]), plan), /different applied set/);
  });

  it("reads selections by position", () => {
    const plan = planMembership(IdSet.empty(), idSetFrom(["x"]));
    assert.equal(plan.adds.idAt(0), "x");
    assert.throws(() => plan.adds.idAt(1), RangeError);
  });
});
