import { DeltaMismatchError } from "../plan";
import type { DeltaSnapshot } from "./delta-codec";
import { SnapshotCorruptError } from "./snapshot-errors";

/**
 * Deltas are compacted (a full snapshot written instead) once a chain would be this long, so a
 * read applies no more than this many deltas (unless a whole copy in the chain is lost since).
 */
export const MAX_DELTA_DEPTH = 8;

/**
 * A delta applied to its base by `apply` (in memory or onto disk), checked: a delta that does not
 * fit its base ({@link DeltaMismatchError}) or does not give its count and digest is corrupt. The
 * depth in its header is not checked: the same base may be stored whole as well as a delta, so
 * the chain actually read can be shorter (or, once a whole copy is lost, longer) than when the
 * delta was written, and either reads the same set.
 */
export async function checkedDelta<T>(delta: DeltaSnapshot, location: string, apply: () => Promise<{ set: T; size: number; digest: string }>): Promise<T> {
  const corrupt = (reason: string, cause?: unknown): SnapshotCorruptError =>
    new SnapshotCorruptError(delta.resultDigest, location, reason, cause === undefined ? undefined : { cause });
  let result: { set: T; size: number; digest: string };
  try {
    result = await apply();
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
