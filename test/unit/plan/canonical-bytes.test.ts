import { strict as assert } from "node:assert";
import fc from "fast-check";
import { defaultFingerprinter, idSetFrom, idSetFromCanonicalBytes, NotCanonicalError, setDigest } from "../../../provider/plan";
import { collidingFingerprinter, fingerprinterArbitrary, idListArbitrary, withFingerprinter } from "../../support/id-arbitraries";

describe("idSetFromCanonicalBytes", () => {
  it("adopts the bytes of any canonical set as that same set", () => {
    fc.assert(
      fc.property(idListArbitrary, fingerprinterArbitrary, (ids, fingerprinter) => {
        const set = idSetFrom(ids, withFingerprinter(fingerprinter));
        const adopted = idSetFromCanonicalBytes(Buffer.from(set.bytes), set.size, set.fingerprinter);
        assert.equal(setDigest(adopted), setDigest(set));
        assert.deepEqual(adopted.offsets, set.offsets);
        assert.deepEqual(adopted.fingerprintHi, set.fingerprintHi);
        assert.deepEqual(adopted.fingerprintLo, set.fingerprintLo);
        assert.equal(adopted.fingerprintCollisions, set.fingerprintCollisions);
      }),
    );
  });

  const notCanonical = (pattern: RegExp) => (error: unknown) => error instanceof NotCanonicalError && pattern.test(error.message);
  const canonical = idSetFrom(["a", "b", "c"]);

  it("rejects IDs out of order", () => {
    const [first, second, third] = canonical.toArray() as [string, string, string];
    assert.throws(() => idSetFromCanonicalBytes(Buffer.from(`${second}\n${first}\n${third}\n`), 3, defaultFingerprinter), notCanonical(/^ID 1 is out of order$/));
  });

  it("rejects repeats, also among colliding IDs", () => {
    assert.throws(() => idSetFromCanonicalBytes(Buffer.from("a\na\n"), 2, defaultFingerprinter), notCanonical(/^ID 1 is a repeat$/));
    assert.throws(() => idSetFromCanonicalBytes(Buffer.from("b\na\n"), 2, collidingFingerprinter), notCanonical(/^ID 1 is out of order$/));
  });

  it("rejects a wrong count, an empty line and a missing final line break", () => {
    const bytes = canonical.bytes;
    assert.throws(() => idSetFromCanonicalBytes(bytes, 4, defaultFingerprinter), notCanonical(/^3 IDs where 4 were expected$/));
    assert.throws(() => idSetFromCanonicalBytes(bytes, 2, defaultFingerprinter), notCanonical(/^more than the 2 IDs expected$/));
    assert.throws(() => idSetFromCanonicalBytes(Buffer.from("\n"), 1, defaultFingerprinter), notCanonical(/^empty ID at position 0$/));
    assert.throws(() => idSetFromCanonicalBytes(bytes.subarray(0, bytes.length - 1), 3, defaultFingerprinter), notCanonical(/^2 IDs where 3/));
  });
});
