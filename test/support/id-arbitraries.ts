import fc from "fast-check";
import type { Fingerprinter } from "../../provider/plan";

/**
 * Characters chosen to collide in interesting ways: case pairs, precomposed
 * vs plain letters, astral symbols, separators, a carriage return.
 */
const ID_CHARACTERS = ["a", "A", "b", "B", "é", "É", "e", "😀", "-", "_", " ", "#", "\r", "0"];

/** IDs as `idSetFrom` accepts them: non-empty, no "\n". Short, so sets overlap often. */
export const idArbitrary: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.constantFrom(...ID_CHARACTERS), minLength: 1, maxLength: 3 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 6 }).filter((id) => !id.includes("\n")),
);

export const idListArbitrary: fc.Arbitrary<string[]> = fc.array(idArbitrary, { maxLength: 60 });

/** Makes every ID collide with many others: only the length (mod 3) counts. */
export const collidingFingerprinter: Fingerprinter = {
  name: "test-length-mod-3",
  fingerprint(_bytes, start, end, out) {
    out[0] = 0;
    out[1] = (end - start) % 3;
  },
};

/** Case-blind on ASCII letters, so "a" and "A" share a fingerprint. */
export const caseBlindFingerprinter: Fingerprinter = {
  name: "test-case-blind",
  fingerprint(view, start, end, out) {
    let hash = 0;
    for (let k = start; k < end; k++) hash = (Math.imul(hash, 31) + (view.getUint8(k) | 0x20)) >>> 0;
    out[0] = hash >>> 28;
    out[1] = hash;
  },
};

export const fingerprinterArbitrary: fc.Arbitrary<Fingerprinter | undefined> = fc.constantFrom(
  undefined,
  collidingFingerprinter,
  caseBlindFingerprinter,
);

/** Options that select a fingerprinter, or none for the default. */
export function withFingerprinter(fingerprinter: Fingerprinter | undefined): { fingerprinter?: Fingerprinter } {
  return fingerprinter === undefined ? {} : { fingerprinter };
}

/** A string set, sorted, for comparing with a naive reference. */
export function sortedUnique(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort();
}
