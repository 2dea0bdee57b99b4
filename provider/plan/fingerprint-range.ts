/**
 * Fingerprint ranges: a set's canonical order starts with the fingerprint, so the IDs whose
 * fingerprints share their top bits sit together, and every set operation the planner uses
 * (diff, union, delta, applying accepted ops) works on each range on its own. That is what lets a
 * set larger than memory be planned one range at a time.
 */
import { IdSet } from "./id-set";

/** A set is cut into this many ranges, by the top {@link RANGE_BITS} bits of its fingerprint. */
export const RANGE_BITS = 8;
export const RANGE_COUNT = 1 << RANGE_BITS;
const RANGE_SHIFT = 32 - RANGE_BITS;

/** The range of a fingerprint, by its high 32 bits. */
export function rangeOf(fingerprintHi: number): number {
  return fingerprintHi >>> RANGE_SHIFT;
}

/** The first position in `set` whose range is `range` or later (`set.size` when none). */
function firstPositionOf(set: IdSet, range: number): number {
  let low = 0;
  let high = set.size;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (rangeOf(set.fingerprintHi[middle] as number) < range) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The IDs of `set` in ranges `[from, to)`, as a set of their own. Shares the bytes and
 * fingerprints; only the offsets are copied.
 */
export function sliceRanges(set: IdSet, from: number, to: number): IdSet {
  if (from === 0 && to >= RANGE_COUNT) return set;
  const first = firstPositionOf(set, from);
  const end = firstPositionOf(set, to);
  const base = set.startOf(first);
  const offsets = new Uint32Array(end - first + 1);
  for (let i = first; i <= end; i++) offsets[i - first] = (set.offsets[i] as number) - base;
  return new IdSet({
    fingerprinter: set.fingerprinter,
    bytes: set.bytes.subarray(base, set.offsets[end] as number),
    offsets,
    fingerprintHi: set.fingerprintHi.subarray(first, end),
    fingerprintLo: set.fingerprintLo.subarray(first, end),
    duplicatesRemoved: 0,
    fingerprintCollisions: 0,
  });
}
