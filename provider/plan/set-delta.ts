import { compareFingerprints } from "./fingerprint-sort";
import type { Fingerprinter } from "./fingerprint";
import { compareIdBytes } from "./id-bytes";
import { uninitializedUint32Array } from "./id-columns";
import { IdSet } from "./id-set";
import { IdSetBuilder } from "./id-set-builder";
import { IdSelection, planMembership, type MembershipPlan } from "./plan-membership";

/**
 * A set written as the change from another: `result = (base − removes) ∪ adds`, with removes ⊆
 * base and adds disjoint from base. Both parts are sets in canonical order, so the change is
 * itself a plan: when the applied set is the base, removes and adds are what to send.
 */
export interface SetDelta {
  readonly removes: IdSet;
  readonly adds: IdSet;
}

/** Thrown by {@link applySetDelta} when a delta does not fit its base. */
export class DeltaMismatchError extends Error {
  override name = "DeltaMismatchError";
}

/** The selected IDs as a set of their own; selections are in canonical order, so nothing is sorted. */
export function setOfSelection(selection: IdSelection): IdSet {
  const set = selection.set;
  if (selection.size === set.size) return set;
  let bytes = 0;
  for (const index of selection.indices) bytes += (set.offsets[index + 1] as number) - (set.offsets[index] as number);
  const builder = new IdSetBuilder({ fingerprinter: set.fingerprinter, expectedBytes: bytes + 1, expectedCount: selection.size });
  for (const index of selection.indices) builder.addBytes(set.bytes, set.startOf(index), set.endOf(index));
  return builder.build();
}

/** The change from `base` to `result`: one linear merge. */
export function setDeltaOf(base: IdSet, result: IdSet): SetDelta {
  const plan = planMembership(base, result);
  return { removes: setOfSelection(plan.removes), adds: setOfSelection(plan.adds) };
}

/** Canonical order of ID `i` of `a` against ID `j` of `b`: fingerprint, then bytes. */
function compareAt(a: IdSet, i: number, b: IdSet, j: number): number {
  const order = compareFingerprints(a.fingerprintHi[i] as number, a.fingerprintLo[i] as number, b.fingerprintHi[j] as number, b.fingerprintLo[j] as number);
  return order !== 0 ? order : compareIdBytes(a.view, a.startOf(i), a.endOf(i), b.view, b.startOf(j), b.endOf(j));
}

/** Writes a canonical set front to back from IDs that arrive in canonical order. */
class CanonicalAppender {
  readonly bytes: Buffer;
  readonly offsets: Uint32Array;
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  private count = 0;
  private at = 0;
  private collisions = 0;

  constructor(size: number, byteLength: number) {
    this.bytes = Buffer.allocUnsafeSlow(byteLength);
    this.offsets = uninitializedUint32Array(size + 1);
    this.hi = uninitializedUint32Array(size);
    this.lo = uninitializedUint32Array(size);
  }

  /** Appends IDs `from … to - 1` of `set`: one copy of their bytes, offsets shifted. */
  appendRun(set: IdSet, from: number, to: number): void {
    if (from >= to) return;
    const start = set.offsets[from] as number;
    const shift = this.at - start;
    for (let i = from; i < to; i++) {
      const k = this.count++;
      this.offsets[k] = (set.offsets[i] as number) + shift;
      this.hi[k] = set.fingerprintHi[i] as number;
      this.lo[k] = set.fingerprintLo[i] as number;
      if (k > 0 && this.hi[k] === this.hi[k - 1] && this.lo[k] === this.lo[k - 1]) this.collisions++;
    }
    const end = set.offsets[to] as number;
    set.bytes.copy(this.bytes, this.at, start, end);
    this.at += end - start;
  }

  finish(fingerprinter: Fingerprinter): IdSet {
    if (this.count !== this.hi.length || this.at !== this.bytes.length) throw new DeltaMismatchError("the delta's sizes do not add up");
    this.offsets[this.count] = this.at;
    return new IdSet({ fingerprinter, bytes: this.bytes, offsets: this.offsets, fingerprintHi: this.hi, fingerprintLo: this.lo, duplicatesRemoved: 0, fingerprintCollisions: this.collisions });
  }
}

/**
 * `(base − removes) ∪ adds`, checking that every removed ID is in `base` and no added one is:
 * a delta written for another base is an error, never a silently different set. One linear
 * merge of the three sorted inputs, copying runs of kept IDs whole: no sort, no re-fingerprint.
 * @throws DeltaMismatchError
 */
export function applySetDelta(base: IdSet, delta: SetDelta): IdSet {
  const { removes, adds } = delta;
  const size = base.size - removes.size + adds.size;
  const byteLength = base.bytes.length - removes.bytes.length + adds.bytes.length;
  if (size < 0 || byteLength < 0) throw new DeltaMismatchError(`${removes.size} removed IDs are not in the base`);
  const out = new CanonicalAppender(size, byteLength);
  let run = 0; // first base ID not yet written
  let r = 0;
  let a = 0;
  for (let i = 0; i < base.size && (r < removes.size || a < adds.size); i++) {
    while (a < adds.size) {
      const order = compareAt(adds, a, base, i);
      if (order > 0) break;
      if (order === 0) throw new DeltaMismatchError(`${countIn(adds, a, base, i)} added IDs are already in the base`);
      out.appendRun(base, run, i);
      run = i;
      out.appendRun(adds, a, a + 1);
      a++;
    }
    if (r < removes.size) {
      const order = compareAt(removes, r, base, i);
      if (order < 0) throw new DeltaMismatchError(`${removes.size - r} removed IDs are not in the base`);
      if (order === 0) {
        out.appendRun(base, run, i);
        run = i + 1;
        r++;
      }
    }
  }
  if (r < removes.size) throw new DeltaMismatchError(`${removes.size - r} removed IDs are not in the base`);
  // The rest of the base; the adds left come after its last ID (each base ID took the adds before it).
  out.appendRun(base, run, base.size);
  out.appendRun(adds, a, adds.size);
  return out.finish(base.fingerprinter);
}

/** How many of `adds` from `a` on are in `base` from `i` on (for the message). */
function countIn(adds: IdSet, a: number, base: IdSet, i: number): number {
  let n = 0;
  while (a < adds.size && i < base.size) {
    const order = compareAt(adds, a, base, i);
    if (order === 0) n++;
    if (order <= 0) a++;
    if (order >= 0) i++;
  }
  return n;
}

/** Every ID of a set, as a selection. */
export function wholeSelection(set: IdSet): IdSelection {
  const indices = new Uint32Array(set.size);
  for (let i = 0; i < indices.length; i++) indices[i] = i;
  return new IdSelection(set, indices);
}

/**
 * The plan from a delta's base to its result: the delta itself, with no set read whole. Exact,
 * because a delta's parts are the base's set difference with the result (checked on read).
 */
export function planFromDelta(delta: SetDelta, resultCount: number): MembershipPlan {
  return {
    adds: wholeSelection(delta.adds),
    removes: wholeSelection(delta.removes),
    addCount: delta.adds.size,
    removeCount: delta.removes.size,
    unchangedCount: resultCount - delta.adds.size,
    isNoOp: delta.adds.size === 0 && delta.removes.size === 0,
    fingerprintCollisions: 0,
  };
}

/**
 * `base` after the accepted part of a plan made from it: `(base − removes) ∪ adds`. The selections
 * may be over any sets (the base itself, the desired set, or a delta's parts); adds already in the
 * base (a re-assert sends every desired ID) change nothing.
 */
export function applyAccepted(base: IdSet, removes: IdSelection, adds: IdSelection): IdSet {
  const added = setOfSelection(adds);
  const newToBase = planMembership(base, added).adds;
  return applySetDelta(base, { removes: setOfSelection(removes), adds: setOfSelection(newToBase) });
}
