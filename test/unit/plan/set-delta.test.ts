import { strict as assert } from "node:assert";
import { applyAccepted, applySetDelta, DeltaMismatchError, idSetFrom, IdSelection, setDeltaOf, setDigest } from "../../../provider/plan";
import fc from "fast-check";
import { collidingFingerprinter, fingerprinterArbitrary, idListArbitrary, withFingerprinter } from "../../support/id-arbitraries";

describe("set deltas", () => {
  const base = idSetFrom(["a", "b", "c", "d"]);
  const result = idSetFrom(["b", "c", "e", "f"]);

  it("is the removes and adds that turn the base into the result, and applies back to the same set", () => {
    const delta = setDeltaOf(base, result);
    assert.deepEqual(delta.removes.toArray().sort(), ["a", "d"]);
    assert.deepEqual(delta.adds.toArray().sort(), ["e", "f"]);
    assert.equal(setDigest(applySetDelta(base, delta)), setDigest(result));
  });

  it("applied to its base, a delta gives exactly the result, byte for byte, under any fingerprinter", () => {
    fc.assert(
      fc.property(idListArbitrary, idListArbitrary, fingerprinterArbitrary, (from, to, fingerprinter) => {
        const options = withFingerprinter(fingerprinter);
        const a = idSetFrom(from, options);
        const b = idSetFrom(to, options);
        const back = applySetDelta(a, setDeltaOf(a, b));
        assert.ok(back.bytes.equals(b.bytes));
        assert.deepEqual(Array.from(back.offsets), Array.from(b.offsets));
        assert.deepEqual(Array.from(back.fingerprintLo), Array.from(b.fingerprintLo));
        assert.equal(back.fingerprintCollisions, b.fingerprintCollisions);
        assert.equal(setDigest(back), setDigest(b));
      }),
    );
  });

  it("tells IDs that share a fingerprint apart by their bytes", () => {
    const from = idSetFrom(["x1", "x2", "x3"], { fingerprinter: collidingFingerprinter });
    const to = idSetFrom(["x2", "x4"], { fingerprinter: collidingFingerprinter });
    const delta = setDeltaOf(from, to);
    assert.deepEqual(delta.removes.toArray().sort(), ["x1", "x3"]);
    assert.deepEqual(delta.adds.toArray(), ["x4"]);
    assert.deepEqual(applySetDelta(from, delta).toArray().sort(), ["x2", "x4"]);
  });

  it("refuses a delta that does not fit the base instead of giving another set", () => {
    const delta = setDeltaOf(base, result);
    assert.throws(() => applySetDelta(idSetFrom(["b", "c"]), delta), (e: unknown) => e instanceof DeltaMismatchError && /2 removed IDs are not in the base/.test(e.message));
    assert.throws(() => applySetDelta(idSetFrom(["a", "b", "c", "d", "e"]), delta), (e: unknown) => e instanceof DeltaMismatchError && /1 added IDs are already in the base/.test(e.message));
  });

  it("applies the accepted part of a plan, whatever sets its selections are over; adds already in the base change nothing", () => {
    const desired = idSetFrom(["b", "c", "e"]);
    const removes = new IdSelection(base, Uint32Array.of(base.toArray().indexOf("a")));
    const adds = new IdSelection(desired, Uint32Array.from(desired.toArray().map((_, i) => i))); // a re-assert: every desired ID
    assert.deepEqual(applyAccepted(base, removes, adds).toArray().sort(), ["b", "c", "d", "e"]);
  });

  it("handles empty sides", () => {
    const empty = idSetFrom([]);
    assert.deepEqual(applySetDelta(empty, setDeltaOf(empty, result)).toArray(), result.toArray());
    assert.equal(applySetDelta(base, setDeltaOf(base, empty)).size, 0);
    assert.equal(setDigest(applySetDelta(base, setDeltaOf(base, base))), setDigest(base));
  });
});
