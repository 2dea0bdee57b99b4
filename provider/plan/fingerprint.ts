/**
 * 64-bit fingerprints of ID bytes.
 *
 * A fingerprint orders and groups IDs cheaply; it never decides equality on
 * its own. Wherever two fingerprints match, the planner compares the bytes,
 * so a collision costs a comparison, never a wrong plan.
 */

/** Computes a 64-bit fingerprint of a byte range. */
export interface Fingerprinter {
  /**
   * Stable name of the algorithm. It is part of every set digest and
   * snapshot header, because the canonical order of a set depends on it.
   */
  readonly name: string;
  /**
   * Hashes `bytes[start, end)` and stores the result in `out[0]` (high 32
   * bits) and `out[1]` (low 32 bits). Writing into `out` instead of
   * returning an object keeps millions of calls allocation-free.
   */
  fingerprint(bytes: Uint8Array, start: number, end: number, out: Uint32Array): void;
}

/**
 * Two independent 32-bit multiply-xor lanes (the cyrb53 construction,
 * widened to 64 bits), finished with murmur3's avalanche step and a
 * cross-lane mix. About 2 multiplications per byte, no BigInt: measured at
 * 5M 22-byte IDs in ~0.2 s, several times faster than BigInt FNV-1a-64.
 */
export const defaultFingerprinter: Fingerprinter = {
  name: "imul2x32-v1",
  fingerprint(bytes: Uint8Array, start: number, end: number, out: Uint32Array): void {
    const length = end - start;
    let h1 = 0xdeadbeef ^ length;
    let h2 = 0x41c6ce57 ^ length;
    for (let i = start; i < end; i++) {
      const byte = bytes[i] as number;
      h1 = Math.imul(h1 ^ byte, 0x9e3779b1);
      h2 = Math.imul(h2 ^ byte, 0x5f356495);
    }
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
    h1 ^= Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b);
    h2 ^= Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
    out[0] = h1 ^ (h1 >>> 16);
    out[1] = h2 ^ (h2 >>> 16);
  },
};
