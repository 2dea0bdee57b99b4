import { strict as assert } from "node:assert";
import fc from "fast-check";
import { idSetFrom, isSetDigest, setDigest } from "../../../provider/plan";
import { collidingFingerprinter, fingerprinterArbitrary, idArbitrary, idListArbitrary, withFingerprinter } from "../../support/id-arbitraries";

describe("setDigest", () => {
  it("is the same for the same set in any order, with or without repeats", () => {
    fc.assert(
      fc.property(
        idListArbitrary.chain((ids) => fc.tuple(fc.constant(ids), fc.shuffledSubarray(ids, { minLength: ids.length }))),
        fingerprinterArbitrary,
        ([ids, shuffled], fingerprinter) => {
          const options = withFingerprinter(fingerprinter);
          assert.equal(setDigest(idSetFrom(ids, options)), setDigest(idSetFrom([...shuffled, ...shuffled], options)));
        },
      ),
    );
  });

  it("changes when any one ID changes, is added or is removed", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(idArbitrary, { minLength: 1, maxLength: 40 }),
        idArbitrary,
        fc.nat(),
        fingerprinterArbitrary,
        (ids, replacement, at, fingerprinter) => {
          fc.pre(!ids.includes(replacement));
          const options = withFingerprinter(fingerprinter);
          const original = setDigest(idSetFrom(ids, options));
          const changed = [...ids];
          changed[at % ids.length] = replacement;
          assert.notEqual(setDigest(idSetFrom(changed, options)), original);
          assert.notEqual(setDigest(idSetFrom([...ids, replacement], options)), original);
          assert.notEqual(setDigest(idSetFrom(ids.slice(1), options)), original);
        },
      ),
    );
  });

  it("tells apart sets whose IDs only share fingerprints", () => {
    const options = { fingerprinter: collidingFingerprinter };
    assert.notEqual(setDigest(idSetFrom(["a", "bb"], options)), setDigest(idSetFrom(["b", "aa"], options)));
  });

  it("depends on the fingerprint algorithm, which fixes the canonical order", () => {
    const ids = ["a", "b", "c"];
    assert.notEqual(setDigest(idSetFrom(ids)), setDigest(idSetFrom(ids, { fingerprinter: collidingFingerprinter })));
  });

  it("is 64 lowercase hex characters", () => {
    const digest = setDigest(idSetFrom(["x"]));
    assert.ok(isSetDigest(digest));
    assert.ok(!isSetDigest(digest.toUpperCase()));
    assert.ok(!isSetDigest(`../${digest.slice(3)}`));
  });
});
