import { strict as assert } from "node:assert";
import fc from "fast-check";
import { IdSet, IdSetBuilder, idSetFrom } from "../../../provider/plan";
import {
  caseBlindFingerprinter,
  collidingFingerprinter,
  fingerprinterArbitrary,
  idListArbitrary,
  sortedUnique,
  withFingerprinter,
} from "../../support/id-arbitraries";

describe("IdSet", () => {
  it("holds exactly the distinct input IDs and counts the repeats", () => {
    fc.assert(
      fc.property(idListArbitrary, fingerprinterArbitrary, (ids, fingerprinter) => {
        const set = idSetFrom(ids, withFingerprinter(fingerprinter));
        assert.deepEqual([...set].sort(), sortedUnique(ids));
        assert.equal(set.size, new Set(ids).size);
        assert.equal(set.duplicatesRemoved, ids.length - set.size);
      }),
    );
  });

  it("answers membership like a Set, including IDs that differ only in case or accents", () => {
    fc.assert(
      fc.property(idListArbitrary, idListArbitrary, fingerprinterArbitrary, (members, probes, fingerprinter) => {
        const set = idSetFrom(members, withFingerprinter(fingerprinter));
        const reference = new Set(members);
        for (const probe of [...members, ...probes]) assert.equal(set.has(probe), reference.has(probe), probe);
      }),
    );
  });

  it("has one canonical form whatever the input order", () => {
    fc.assert(
      fc.property(
        idListArbitrary.chain((ids) => fc.tuple(fc.constant(ids), fc.shuffledSubarray(ids, { minLength: ids.length }))),
        fingerprinterArbitrary,
        ([ids, shuffled], fingerprinter) => {
          const a = idSetFrom(ids, withFingerprinter(fingerprinter));
          const b = idSetFrom(shuffled, withFingerprinter(fingerprinter));
          assert.ok(a.bytes.equals(b.bytes));
          assert.deepEqual(a.offsets, b.offsets);
          assert.deepEqual(a.fingerprintHi, b.fingerprintHi);
          assert.deepEqual(a.fingerprintLo, b.fingerprintLo);
        },
      ),
    );
  });

  it("orders by fingerprint, then by bytes among colliding IDs, and counts the collisions", () => {
    // Lengths 1 and 4 share a fingerprint under the colliding fingerprinter.
    const set = idSetFrom(["bb", "b", "aaaa", "a", "ab", "a"], { fingerprinter: collidingFingerprinter });
    assert.deepEqual(set.toArray(), ["a", "aaaa", "b", "ab", "bb"]);
    assert.equal(set.duplicatesRemoved, 1);
    assert.equal(set.fingerprintCollisions, 3);
  });

  it("keeps IDs byte for byte, unicode included", () => {
    const ids = ["Ünïcödé", "😀", "a\rb", " padded "];
    assert.deepEqual(idSetFrom(ids).toArray().sort(), [...ids].sort());
  });

  it("rejects empty IDs and IDs with a line feed", () => {
    const builder = new IdSetBuilder();
    assert.throws(() => builder.add(""), /must not be empty/);
    assert.throws(() => builder.add("a\nb"), /must not contain a line feed/);
  });

  it("builds only once", () => {
    const builder = new IdSetBuilder();
    builder.build();
    assert.throws(() => builder.build(), /already called/);
  });

  it("grows past its initial capacity", () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `id-${i}`);
    const set = idSetFrom(ids, { expectedBytes: 10 });
    assert.equal(set.size, ids.length);
    assert.ok(set.has("id-19999"));
  });

  it("gives large inputs, filed into partitions, the same canonical form, repeats and collisions included", () => {
    // Enough IDs to leave the single store (32,768), with ~1/8 repeats.
    const ids = Array.from({ length: 45_000 }, (_, i) => `id-${i % 40_000}-${i % 7 === 0 ? "X" : "x"}`);
    const reversed = [...ids].reverse();
    for (const fingerprinter of [undefined, caseBlindFingerprinter]) {
      const options = withFingerprinter(fingerprinter);
      const shuffled = idSetFrom(reversed, options);
      const canonical = idSetFrom(shuffled, options); // fed back in canonical order: the single-store path
      assert.ok(shuffled.bytes.equals(canonical.bytes));
      assert.deepEqual(shuffled.fingerprintHi, canonical.fingerprintHi);
      assert.equal(shuffled.size, new Set(ids).size);
      assert.equal(shuffled.duplicatesRemoved, ids.length - shuffled.size);
      assert.deepEqual([...shuffled].sort(), sortedUnique(ids));
    }
    assert.ok(idSetFrom(reversed, { fingerprinter: caseBlindFingerprinter }).fingerprintCollisions > 0);
  });

  it("rebuilds an already-canonical set unchanged", () => {
    const canonical = idSetFrom(["x", "y", "z", "w"]);
    const rebuilt = idSetFrom(canonical);
    assert.ok(rebuilt.bytes.equals(canonical.bytes));
  });

  it("offers an empty set and range-checked access", () => {
    const empty = IdSet.empty();
    assert.equal(empty.size, 0);
    assert.deepEqual(empty.toArray(), []);
    assert.throws(() => empty.idAt(0), RangeError);
    const one = idSetFrom(["only"]);
    assert.equal(one.idAt(0), "only");
    assert.equal(typeof one.fingerprintAt(0), "bigint");
  });
});
