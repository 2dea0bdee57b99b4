import { compareFingerprints } from "./fingerprint-sort";
import { compareIdBytes, viewOf } from "./id-bytes";
import { uninitializedUint32Array } from "./id-columns";
import type { Fingerprinter } from "./fingerprint";
import { IdSet } from "./id-set";

const NEWLINE = 0x0a;

/** Thrown by {@link idSetFromCanonicalBytes} when the bytes are not a canonical set. */
export class NotCanonicalError extends Error {
  override name = "NotCanonicalError";
}

/**
 * Adopts bytes that should already be a set in canonical form (each ID
 * followed by "\n", ascending by fingerprint then bytes, no repeats), as
 * written by a snapshot, checking that they are. The buffer becomes the
 * set's own, with no copy and no sort: one pass to find lines and
 * fingerprint them, about half the work of rebuilding the set.
 *
 * @throws NotCanonicalError naming the first problem (wrong count, empty
 *   line, missing final "\n", order, repeat).
 */
export function idSetFromCanonicalBytes(bytes: Buffer, count: number, fingerprinter: Fingerprinter): IdSet {
  const view = viewOf(bytes);
  const offsets = uninitializedUint32Array(count + 1);
  const hi = uninitializedUint32Array(count);
  const lo = uninitializedUint32Array(count);
  const fingerprint = new Uint32Array(2);
  let collisions = 0;
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = bytes.indexOf(NEWLINE, start);
    if (end === -1) throw new NotCanonicalError(`${i} IDs where ${count} were expected`);
    if (end === start) throw new NotCanonicalError(`empty ID at position ${i}`);
    fingerprinter.fingerprint(view, start, end, fingerprint);
    const h = fingerprint[0] as number;
    const l = fingerprint[1] as number;
    if (i > 0) {
      let order = compareFingerprints(hi[i - 1] as number, lo[i - 1] as number, h, l);
      if (order === 0) {
        order = compareIdBytes(view, offsets[i - 1] as number, start - 1, view, start, end);
        collisions++;
      }
      if (order >= 0) throw new NotCanonicalError(`ID ${i} is ${order === 0 ? "a repeat" : "out of order"}`);
    }
    offsets[i] = start;
    hi[i] = h;
    lo[i] = l;
    start = end + 1;
  }
  if (start !== bytes.length) throw new NotCanonicalError(`more than the ${count} IDs expected`);
  offsets[count] = start;
  return new IdSet({
    fingerprinter,
    bytes,
    offsets,
    fingerprintHi: hi,
    fingerprintLo: lo,
    duplicatesRemoved: 0,
    fingerprintCollisions: collisions,
  });
}
