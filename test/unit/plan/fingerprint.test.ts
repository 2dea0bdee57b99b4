import { strict as assert } from "node:assert";
import { defaultFingerprinter } from "../../../provider/plan";

function fingerprintOf(id: string): [number, number] {
  const bytes = Buffer.from(id, "utf8");
  const out = new Uint32Array(2);
  defaultFingerprinter.fingerprint(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), 0, bytes.length, out);
  return [out[0] as number, out[1] as number];
}

describe("defaultFingerprinter", () => {
  // Snapshots and digests depend on these values: if this table has to
  // change, the fingerprinter's name has to change with it.
  const golden: [string, number, number][] = [
    ["EMpBAI0GRcK4nBNGpPGg5g", 0xedc3cb11, 0xe562dccb],
    ["a", 0xda458f9a, 0x1213005d],
    ["ünï", 0x3bf98053, 0x7b6a002e],
    ["0123456789abcdef", 0xb5978a73, 0x355b173f],
  ];
  for (const [id, hi, lo] of golden) {
    it(`gives ${JSON.stringify(id)} the fingerprint recorded for ${defaultFingerprinter.name}`, () => {
      assert.equal(defaultFingerprinter.name, "imul2x32-v2");
      assert.deepEqual(fingerprintOf(id), [hi, lo]);
    });
  }

  it("hashes only the given range", () => {
    const bytes = Buffer.from("xxEMpBAI0GRcK4nBNGpPGg5gyy");
    const out = new Uint32Array(2);
    defaultFingerprinter.fingerprint(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), 2, bytes.length - 2, out);
    assert.deepEqual(Array.from(out), fingerprintOf("EMpBAI0GRcK4nBNGpPGg5g"));
  });

  it("separates IDs that differ in one character, in case, or only in length", () => {
    const ids = ["abc", "abd", "Abc", "abc ", "ab", "abcabcabc", "abcabcabd"];
    const seen = new Set(ids.map((id) => fingerprintOf(id).join(":")));
    assert.equal(seen.size, ids.length);
  });
});
