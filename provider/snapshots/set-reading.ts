/**
 * How a store turns what it holds into a set: into memory ({@link IN_MEMORY}), or onto disk for
 * sets larger than memory ({@link onDisk}). Stores read whole snapshots and delta chains the same
 * way for both; only the decoding and the applying of deltas differ.
 */
import { applySetDelta, RANGE_COUNT, setDigest, sliceRanges, SpilledSetWriter, type IdSet, type SpilledSet } from "../plan";
import { checkedDelta } from "./delta-chain";
import type { DeltaSnapshot } from "./delta-codec";
import { decodeSnapshot, decodeSnapshotToDisk, type SnapshotDecodeOptions } from "./snapshot-codec";

export interface SetReading<T> {
  decode(source: AsyncIterable<Uint8Array>, options: SnapshotDecodeOptions): Promise<T>;
  /** The set `delta` (stored at `location`) stands for, given its base; checked by {@link checkedDelta}. */
  apply(delta: DeltaSnapshot, base: T, location: string): Promise<T>;
}

export const IN_MEMORY: SetReading<IdSet> = {
  decode: decodeSnapshot,
  apply: (delta, base, location) =>
    checkedDelta(delta, location, () => {
      const set = applySetDelta(base, delta);
      return Promise.resolve({ set, size: set.size, digest: setDigest(set) });
    }),
};

/** Sets read into files in `directory`; a chain's intermediate sets are deleted as it is applied. */
export function onDisk(directory: string): SetReading<SpilledSet> {
  return {
    decode: (source, options) => decodeSnapshotToDisk(source, directory, options),
    apply: (delta, base, location) =>
      checkedDelta(delta, location, async () => {
        const writer = new SpilledSetWriter(directory, base.fingerprinter);
        try {
          for (let range = 0; range < RANGE_COUNT; range++) {
            const part = { removes: sliceRanges(delta.removes, range, range + 1), adds: sliceRanges(delta.adds, range, range + 1) };
            writer.append(applySetDelta(base.ranges(range, range + 1), part));
          }
        } catch (error) {
          writer.abandon();
          throw error;
        } finally {
          base.dispose();
        }
        const result = writer.finish();
        return { set: result, size: result.size, digest: await result.digest() };
      }),
  };
}
