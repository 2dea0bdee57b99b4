import { strict as assert } from "node:assert";
import fc from "fast-check";
import { compareFingerprints, FingerprintSortWorkspace, sortFingerprints } from "../../../provider/plan/fingerprint-sort";

/** Fingerprint halves with few distinct values, so ties and shared digits are common. */
const halfArbitrary = fc.oneof(fc.constantFrom(0, 1, 0xff, 0x100, 0xffffffff, 0x80000000), fc.nat({ max: 0xffffffff }));

describe("sortFingerprints", () => {
  it("sorts ascending and reports where each fingerprint came from, stably", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(halfArbitrary, halfArbitrary), { maxLength: 300 }), (pairs) => {
        const hi = Uint32Array.from(pairs, ([h]) => h);
        const lo = Uint32Array.from(pairs, ([, l]) => l);
        const order = sortFingerprints(hi, lo);
        const expected = pairs
          .map(([h, l], index) => ({ h, l, index }))
          .sort((a, b) => compareFingerprints(a.h, a.l, b.h, b.l) || a.index - b.index);
        assert.deepEqual(Array.from(order), expected.map((entry) => entry.index));
        assert.deepEqual(Array.from(hi), expected.map((entry) => entry.h));
        assert.deepEqual(Array.from(lo), expected.map((entry) => entry.l));
      }),
    );
  });

  it("sorts large random inputs that go through several radix levels", () => {
    const n = 200_000;
    const hi = new Uint32Array(n);
    const lo = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      hi[i] = (Math.random() * 2 ** 32) >>> 0;
      lo[i] = (Math.random() * 2 ** 32) >>> 0;
    }
    const original = { hi: hi.slice(), lo: lo.slice() };
    const order = sortFingerprints(hi, lo);
    for (let k = 0; k < n; k++) {
      const from = order[k] as number;
      assert.equal(hi[k], original.hi[from]);
      assert.equal(lo[k], original.lo[from]);
      if (k > 0) assert.ok(compareFingerprints(hi[k - 1] as number, lo[k - 1] as number, hi[k] as number, lo[k] as number) <= 0);
    }
  });

  it("reuses one workspace for many sorts", () => {
    const workspace = new FingerprintSortWorkspace(4);
    for (const values of [[3, 1, 2], [9, 8, 7, 6], [5]]) {
      const hi = Uint32Array.from(values);
      const order = sortFingerprints(hi, new Uint32Array(values.length), workspace);
      assert.deepEqual(Array.from(hi), [...values].sort((a, b) => a - b));
      assert.deepEqual(Array.from(order, (index) => values[index]), Array.from(hi));
    }
    assert.throws(() => sortFingerprints(new Uint32Array(5), new Uint32Array(5), workspace), /holds 4 fingerprints/);
  });

  it("rejects halves of different lengths", () => {
    assert.throws(() => sortFingerprints(new Uint32Array(2), new Uint32Array(3)), RangeError);
  });
});
