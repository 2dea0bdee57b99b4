import { compareIdBytes } from "./id-bytes";
import { uninitializedUint32Array } from "./id-columns";
import type { IdSet } from "./id-set";
import { IdSetBuilder } from "./id-set-builder";

/**
 * Some IDs of a set, by canonical position: a compact stand-in for a string
 * array (4 B per ID instead of ~60), so an initial sync of 5M IDs stays cheap.
 */
export class IdSelection implements Iterable<string> {
  constructor(
    readonly set: IdSet,
    /** Canonical positions in `set`, ascending. */
    readonly indices: Uint32Array,
  ) {}

  get size(): number {
    return this.indices.length;
  }

  /** The k-th selected ID. */
  idAt(k: number): string {
    const index = this.indices[k];
    if (index === undefined) throw new RangeError(`selection index ${k} outside 0..${this.size - 1}`);
    return this.set.idAt(index);
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (const index of this.indices) yield this.set.idAt(index);
  }

  /** The selected IDs as strings; for tests and small selections. */
  toArray(): string[] {
    return Array.from(this);
  }
}

/** What it takes to turn the applied membership into the desired one. */
export interface MembershipPlan {
  /** IDs in the desired set but not applied yet. */
  readonly adds: IdSelection;
  /** IDs applied but no longer desired. */
  readonly removes: IdSelection;
  readonly addCount: number;
  readonly removeCount: number;
  /** IDs in both sets. */
  readonly unchangedCount: number;
  /** True when there is nothing to send. */
  readonly isNoOp: boolean;
  /**
   * Pairs of different IDs, one per set, that shared a fingerprint. They
   * were told apart by their bytes; the count is for diagnostics only.
   */
  readonly fingerprintCollisions: number;
}

/**
 * Diffs two sets by one linear merge over their canonical order
 * (fingerprint, then bytes). The plan is exact: where fingerprints match,
 * the IDs' bytes are compared, so a 64-bit collision (≈7·10⁻⁷ at 5M IDs,
 * or forced in tests) can never hide an add or a remove. Pure.
 */
export function planMembership(applied: IdSet, desired: IdSet): MembershipPlan {
  if (applied.fingerprinter.name !== desired.fingerprinter.name) {
    throw new Error(
      `cannot plan across fingerprint algorithms (${applied.fingerprinter.name} vs ${desired.fingerprinter.name})`,
    );
  }
  const appliedHi = applied.fingerprintHi;
  const appliedLo = applied.fingerprintLo;
  const appliedOffsets = applied.offsets;
  const appliedBytes = applied.view;
  const desiredHi = desired.fingerprintHi;
  const desiredLo = desired.fingerprintLo;
  const desiredOffsets = desired.offsets;
  const desiredBytes = desired.view;
  const appliedSize = applied.size;
  const desiredSize = desired.size;
  // Worst-case sized, trimmed at the end: cheaper than growing.
  const adds = uninitializedUint32Array(desiredSize);
  const removes = uninitializedUint32Array(appliedSize);
  let addCount = 0;
  let removeCount = 0;
  let collisions = 0;
  let i = 0;
  let j = 0;
  while (i < appliedSize && j < desiredSize) {
    const hiA = appliedHi[i] as number;
    const hiD = desiredHi[j] as number;
    let order = hiA === hiD ? 0 : hiA < hiD ? -1 : 1;
    if (order === 0) {
      const loA = appliedLo[i] as number;
      const loD = desiredLo[j] as number;
      order = loA === loD ? 0 : loA < loD ? -1 : 1;
    }
    if (order === 0) {
      order = compareIdBytes(
        appliedBytes,
        appliedOffsets[i] as number,
        (appliedOffsets[i + 1] as number) - 1,
        desiredBytes,
        desiredOffsets[j] as number,
        (desiredOffsets[j + 1] as number) - 1,
      );
      if (order !== 0) collisions++;
    }
    if (order === 0) {
      i++;
      j++;
    } else if (order < 0) {
      removes[removeCount++] = i++;
    } else {
      adds[addCount++] = j++;
    }
  }
  while (i < appliedSize) removes[removeCount++] = i++;
  while (j < desiredSize) adds[addCount++] = j++;
  return {
    adds: new IdSelection(desired, adds.slice(0, addCount)),
    removes: new IdSelection(applied, removes.slice(0, removeCount)),
    addCount,
    removeCount,
    unchangedCount: desiredSize - addCount,
    isNoOp: addCount === 0 && removeCount === 0,
    fingerprintCollisions: collisions,
  };
}

/**
 * The set that results from carrying out `plan` on `applied`: what the
 * audience holds after a successful update. Used by tests to check plans.
 */
export function applyPlan(applied: IdSet, plan: MembershipPlan): IdSet {
  if (plan.removes.set !== applied) throw new Error("the plan was made for a different applied set");
  const removed = new Uint8Array(applied.size);
  for (const index of plan.removes.indices) removed[index] = 1;
  const builder = new IdSetBuilder({
    fingerprinter: applied.fingerprinter,
    expectedBytes: applied.bytes.length + plan.adds.set.bytes.length,
  });
  const copy = (set: IdSet, index: number): void => builder.addBytes(set.bytes, set.startOf(index), set.endOf(index));
  for (let index = 0; index < applied.size; index++) if (removed[index] === 0) copy(applied, index);
  for (const index of plan.adds.indices) copy(plan.adds.set, index);
  return builder.build();
}
