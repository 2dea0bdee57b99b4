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

/**
 * `(base − removes) ∪ adds`, checking that every removed ID is in `base` and no added one is:
 * a delta written for another base is an error, never a silently different set.
 * @throws DeltaMismatchError
 */
export function applySetDelta(base: IdSet, delta: SetDelta): IdSet {
  const kept = planMembership(delta.removes, base); // adds: base − removes; removes: removes − base
  if (kept.removeCount > 0) throw new DeltaMismatchError(`${kept.removeCount} removed IDs are not in the base`);
  if (delta.adds.size === 0) return setOfSelection(kept.adds);
  const overlap = planMembership(base, delta.adds).unchangedCount;
  if (overlap > 0) throw new DeltaMismatchError(`${overlap} added IDs are already in the base`);
  const builder = new IdSetBuilder({
    fingerprinter: base.fingerprinter,
    expectedBytes: base.bytes.length + delta.adds.bytes.length + 1,
    expectedCount: base.size - delta.removes.size + delta.adds.size,
  });
  for (const index of kept.adds.indices) builder.addBytes(base.bytes, base.startOf(index), base.endOf(index));
  for (let index = 0; index < delta.adds.size; index++) builder.addBytes(delta.adds.bytes, delta.adds.startOf(index), delta.adds.endOf(index));
  return builder.build();
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
 * may be over any sets (the base itself, the desired set, or a delta's parts).
 */
export function applyAccepted(base: IdSet, removes: IdSelection, adds: IdSelection): IdSet {
  return applySetDelta(base, { removes: setOfSelection(removes), adds: setOfSelection(adds) });
}
