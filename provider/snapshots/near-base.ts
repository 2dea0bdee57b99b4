import { dirname } from "node:path";
import { IdSetBuilder, RANGE_COUNT, setDeltaOf, setDigest, type IdSet, type SetDelta, type SpilledSet } from "../plan";
import { MAX_DELTA_DEPTH, worthADelta } from "./delta-chain";
import { SnapshotError } from "./snapshot-errors";
import type { SnapshotStore } from "./snapshot-store";

/** How a set was stored by {@link putNearBase}. */
export interface NearBasePut {
  readonly digest: string;
  /** "stored": readable already; "delta": written as a delta over the base; "full": written whole. */
  readonly written: "stored" | "delta" | "full";
}

/**
 * Stores a set that is likely close to another stored set (e.g. a membership's new desired set and
 * the set Amazon holds now): as a delta over it when it is readable, the chain short and the change
 * small (see {@link worthADelta}), else whole; nothing when the set is readable already. The base
 * is read once (its decode is the price of a small write); a wrong or lost base only costs a whole
 * write, never a wrong set, because deltas are checked against their digests on read.
 */
export async function putNearBase(store: SnapshotStore, set: IdSet, baseDigest: string | undefined): Promise<NearBasePut> {
  const digest = setDigest(set);
  if (await isReadable(store, digest)) return { digest, written: "stored" };
  return { digest, written: await putOverBase(store, set, baseDigest, () => store.get(baseDigest as string)) };
}

/**
 * Stores `set` as a delta over the stored set `baseDigest` (read by `loadBase` only when a delta
 * may be worth it) or, when there is no such base, the base cannot be read or the delta is not
 * worth it, whole. A copy of `set` that exists but cannot be read (a delta whose base was lost) is
 * repaired by a whole one.
 */
export async function putOverBase(store: SnapshotStore, set: IdSet, baseDigest: string | undefined, loadBase: () => Promise<IdSet>): Promise<"delta" | "full"> {
  const digest = setDigest(set);
  const depth = await depthOfBase(store, digest, baseDigest);
  if (depth !== undefined && worthADelta(depth, 0, set.size)) {
    try {
      const delta = setDeltaOf(await loadBase(), set);
      if (worthADelta(depth, delta.removes.size + delta.adds.size, set.size)) {
        await store.putDelta({ ...delta, baseDigest: baseDigest as string, resultDigest: digest, resultCount: set.size, depth: depth + 1 });
        return "delta";
      }
    } catch (error) {
      if (!(error instanceof SnapshotError)) throw error; // an unreadable base: store the set whole
    }
  }
  await store.put(set);
  return "full";
}

/**
 * The depth of the base a new delta for `digest` would go over; undefined when there is none to
 * use: no base, the set itself, or a set stored in some form already (only a whole write repairs it).
 */
async function depthOfBase(store: SnapshotStore, digest: string, baseDigest: string | undefined): Promise<number | undefined> {
  if (baseDigest === undefined || baseDigest === digest || (await store.has(digest))) return undefined;
  return store.depthOf(baseDigest);
}

/**
 * True when the set can be read back: stored whole, or as deltas down to a whole snapshot. Reads
 * only the deltas (small), never a whole set.
 */
export async function isReadable(store: SnapshotStore, digest: string): Promise<boolean> {
  let at = digest;
  try {
    for (let link = 0; link <= MAX_DELTA_DEPTH; link++) {
      const depth = await store.depthOf(at);
      if (depth === undefined) return false;
      if (depth === 0) return true;
      const delta = await store.getDelta(at);
      if (delta === undefined) return false;
      at = delta.baseDigest;
    }
  } catch (error) {
    if (error instanceof SnapshotError) return false;
    throw error;
  }
  return false;
}

/**
 * {@link putNearBase} for a set kept on disk (larger than memory): the base is copied onto disk
 * beside it and diffed one fingerprint range at a time; the change is kept in memory only while it
 * is worth a delta and at most `maxChangedIds` IDs, else the set is stored whole, streamed.
 */
export async function putSpilledNearBase(store: SnapshotStore, set: SpilledSet, baseDigest: string | undefined, maxChangedIds: number): Promise<NearBasePut> {
  const digest = await set.digest();
  if (await isReadable(store, digest)) return { digest, written: "stored" };
  const depth = await depthOfBase(store, digest, baseDigest);
  if (baseDigest !== undefined && depth !== undefined && worthADelta(depth, 0, set.size)) {
    try {
      const change = await rangewiseChange(store, set, baseDigest, (changed) => changed <= maxChangedIds && worthADelta(depth, changed, set.size));
      if (change !== undefined) {
        await store.putDelta({ ...change, baseDigest, resultDigest: digest, resultCount: set.size, depth: depth + 1 });
        return { digest, written: "delta" };
      }
    } catch (error) {
      if (!(error instanceof SnapshotError)) throw error; // an unreadable base: store the set whole
    }
  }
  await store.put(set);
  return { digest, written: "full" };
}

/** The change from the stored set `baseDigest` to `set`, range by range; undefined once `worth` says no. */
async function rangewiseChange(store: SnapshotStore, set: SpilledSet, baseDigest: string, worth: (changedIds: number) => boolean): Promise<SetDelta | undefined> {
  const base = await store.getSpilled(baseDigest, dirname(set.path));
  try {
    // The parts arrive in canonical order, so the builders keep them without sorting.
    const removes = new IdSetBuilder({ fingerprinter: set.fingerprinter });
    const adds = new IdSetBuilder({ fingerprinter: set.fingerprinter });
    for (let range = 0; range < RANGE_COUNT; range++) {
      const part = setDeltaOf(base.ranges(range, range + 1), set.ranges(range, range + 1));
      for (const [into, from] of [[removes, part.removes], [adds, part.adds]] as const) {
        for (let i = 0; i < from.size; i++) into.addBytes(from.bytes, from.startOf(i), from.endOf(i));
      }
      if (!worth(removes.count + adds.count)) return undefined;
    }
    return { removes: removes.build(), adds: adds.build() };
  } finally {
    base.dispose();
  }
}
