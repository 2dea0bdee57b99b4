/**
 * Windows by a key inside each entry (issue 25): the hashed-records and deletion plans pair
 * entries by a part of them (a record's externalId, a deletion's user), not by the whole entry,
 * so the fingerprint ranges of the entries do not keep a pair together. Their windows are ranges
 * of the key's fingerprint instead: a window's part of a set is every entry whose key falls in
 * it, read from the set's copy on disk range by range, and every step of those plans (set
 * operations, and pairing by key) works on each such part alone.
 */
import { defaultFingerprinter, IdSetBuilder, RANGE_COUNT, rangeOf, SpilledSet, SpillingSetBuilder } from "../plan";
import type { SnapshotStore } from "../snapshots";
import type { IdSet } from "../plan";
import type { PlanWindow, SpilledCopies } from "./plan-windows";

/** The fingerprint range of `key` (in the windows of {@link planWindows}). */
export function rangeOfKey(key: string): number {
  const bytes = Buffer.from(key, "utf8");
  const out = new Uint32Array(2);
  defaultFingerprinter.fingerprint(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), 0, bytes.length, out);
  return rangeOf(out[0] as number);
}

/** True when `key` falls in `window`. */
export function inWindow(window: PlanWindow, key: string): boolean {
  const range = rangeOfKey(key);
  return range >= window.from && range < window.to;
}

/** The entries of `set` whose key falls in `window`, in canonical order (so the builder sorts nothing). */
export function keyedPart(set: SpilledSet, window: PlanWindow, keyOf: (entry: string) => string): IdSet {
  const builder = new IdSetBuilder({ fingerprinter: set.fingerprinter });
  for (let range = 0; range < RANGE_COUNT; range++) {
    const part = set.ranges(range, range + 1);
    for (let i = 0; i < part.size; i++) {
      if (inWindow(window, keyOf(part.idAt(i)))) builder.addBytes(part.bytes, part.startOf(i), part.endOf(i));
    }
  }
  return builder.build();
}

/** The store as one keyed window sees it: `get` gives the window's part of a set, from its copy on disk. */
export function keyedView(copies: SpilledCopies, window: PlanWindow, keyOf: (entry: string) => string): SnapshotStore {
  return { ...copies.view(window), get: async (digest) => keyedPart(await copies.copyOf(digest), window, keyOf) };
}

/**
 * One set made of the parts of every window (which interleave in canonical order): sorted within
 * the budget, on disk in the operation's folder when larger, then stored and deleted.
 */
export class KeyedSetWriter {
  private readonly builder: SpillingSetBuilder;

  constructor(copies: SpilledCopies, memoryBytes: number) {
    this.builder = new SpillingSetBuilder({ memoryBytes, directory: copies.workDirectory() });
  }

  /** Entries added so far. */
  get count(): number {
    return this.builder.count;
  }

  add(part: IdSet): void {
    for (let i = 0; i < part.size; i++) this.builder.addBytes(part.bytes, part.startOf(i), part.endOf(i));
  }

  /** Stores the set and deletes its file. */
  async store(store: SnapshotStore): Promise<{ digest: string; count: number }> {
    const set = this.builder.build();
    try {
      return { digest: await store.put(set), count: set.size };
    } finally {
      if (set instanceof SpilledSet) set.dispose();
    }
  }
}
