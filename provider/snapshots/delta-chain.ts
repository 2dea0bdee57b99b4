import { applySetDelta, DeltaMismatchError, setDigest, type IdSet } from "../plan";
import type { DeltaSnapshot } from "./delta-codec";
import { SnapshotCorruptError } from "./snapshot-errors";

/**
 * Deltas are compacted (a full snapshot written instead) once a chain would be this long, so a
 * read never applies more than this many deltas.
 */
export const MAX_DELTA_DEPTH = 8;

/**
 * The set a delta stands for: its base (read by `getBase`, itself full or a delta), with the delta
 * applied, checked against the delta's count and digest. Depths must fall by one per link, so a
 * damaged chain cannot loop.
 */
export function resolveDelta(delta: DeltaSnapshot, location: string, getBase: (digest: string) => Promise<{ set: IdSet; depth: number }>): Promise<IdSet> {
  return checkedDelta(delta, location, getBase, (base) => {
    const set = applySetDelta(base, delta);
    return Promise.resolve({ set, size: set.size, digest: setDigest(set) });
  });
}

/**
 * The checks of {@link resolveDelta} around any way of applying a delta (`apply`, given the base):
 * depth, fit ({@link DeltaMismatchError} is corruption), count and digest.
 */
export async function checkedDelta<T>(
  delta: DeltaSnapshot,
  location: string,
  getBase: (digest: string) => Promise<{ set: T; depth: number }>,
  apply: (base: T) => Promise<{ set: T; size: number; digest: string }>,
): Promise<T> {
  const corrupt = (reason: string, cause?: unknown): SnapshotCorruptError =>
    new SnapshotCorruptError(delta.resultDigest, location, reason, cause === undefined ? undefined : { cause });
  if (delta.depth < 1 || delta.depth > MAX_DELTA_DEPTH) throw corrupt(`impossible delta depth ${delta.depth}`);
  const base = await getBase(delta.baseDigest);
  if (base.depth !== delta.depth - 1) throw corrupt(`its base is at depth ${base.depth}, not ${delta.depth - 1}`);
  let result: { set: T; size: number; digest: string };
  try {
    result = await apply(base.set);
  } catch (error) {
    if (error instanceof DeltaMismatchError) throw corrupt(`it does not fit its base: ${error.message}`, error);
    throw error;
  }
  if (result.size !== delta.resultCount || result.digest !== delta.resultDigest) throw corrupt("applied to its base it does not give its digest");
  return result.set;
}

/**
 * Whether a change is worth a delta: the chain stays short and the change is small beside the
 * set (a delta of half the set costs about what a full snapshot does, and slows every read).
 */
export function worthADelta(baseDepth: number, changedIds: number, resultCount: number): boolean {
  return baseDepth + 1 <= MAX_DELTA_DEPTH && changedIds * 4 <= resultCount;
}
