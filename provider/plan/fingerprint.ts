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
   * snapshot header, because the canonical order of a set depends on it:
   * change the name whenever the function changes.
   */
  readonly name: string;
  /**
   * Hashes bytes `[start, end)` of `view` and stores the result in `out[0]`
   * (high 32 bits) and `out[1]` (low 32 bits). Writing into `out` instead
   * of returning an object keeps millions of calls allocation-free.
   */
  fingerprint(view: DataView, start: number, end: number, out: Uint32Array): void;
}

/**
 * Two independent 32-bit multiply-rotate lanes fed 4 bytes at a time (in
 * the spirit of cyrb53 and murmur3), then murmur3's avalanche step with a
 * cross-lane mix. No BigInt. ~0.1 s for 5M 22-byte IDs, half the time of
 * the same hash fed byte by byte; on 5M random and 3M sequential IDs each
 * 32-bit half collides as often as a random function would.
 */
export const defaultFingerprinter: Fingerprinter = {
  name: "imul2x32-v2",
  fingerprint(view: DataView, start: number, end: number, out: Uint32Array): void {
    const length = end - start;
    let h1 = 0xdeadbeef ^ length;
    let h2 = 0x41c6ce57 ^ length;
    let i = start;
    for (; i + 4 <= end; i += 4) {
      const word = view.getUint32(i, true);
      h1 = Math.imul(h1 ^ word, 0x9e3779b1);
      h1 = (h1 << 13) | (h1 >>> 19);
      h2 = Math.imul(h2 ^ word, 0x5f356495);
      h2 = (h2 << 17) | (h2 >>> 15);
    }
    for (; i < end; i++) {
      const byte = view.getUint8(i);
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
