import { CanonicalWriter, emitCanonical } from "./canonical-order";
import { compareFingerprints, FingerprintSortWorkspace } from "./fingerprint-sort";
import { viewOf } from "./id-bytes";
import { IdColumns, MAX_SET_BYTES, uninitializedUint32Array } from "./id-columns";
import type { IdSet } from "./id-set";
import { defaultFingerprinter, type Fingerprinter } from "./fingerprint";

/** Options for {@link IdSetBuilder}. */
export interface IdSetBuilderOptions {
  /** How IDs are fingerprinted. @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
  /**
   * Expected total size in bytes of all IDs plus one per ID (e.g. the size
   * of the ID file). Pre-sizes the stores so they rarely grow.
   * @default 64 KiB, doubling as needed
   */
  readonly expectedBytes?: number;
  /** Expected number of IDs, when known. @default expectedBytes / 16 */
  readonly expectedCount?: number;
}

/** Below this many IDs one store sorts in cache anyway; partitions would only cost allocations. */
const PARTITION_FROM_COUNT = 1 << 15;
const PARTITION_BITS = 8;
const PARTITIONS = 1 << PARTITION_BITS;
const PARTITION_SHIFT = 32 - PARTITION_BITS;
/** Partitions are pre-sized this much above an even share; fingerprints spread evenly. */
const PARTITION_HEADROOM = 1.1;

/**
 * Collects IDs (as strings or byte ranges) and turns them into a canonical
 * {@link IdSet}: fingerprint, sort by fingerprint, order collisions by
 * bytes, drop repeats. One builder builds one set.
 *
 * Moving each ID straight to its sorted place would read memory at random,
 * and on the VMs we run on a random read costs ~0.7 µs (TLB misses): 3.5 s
 * for 5M IDs. So IDs are filed on arrival into 256 partitions by the top
 * bits of their fingerprint (256 sequential write streams), and at the end
 * each ~0.5 MB partition is sorted and gathered while it sits in cache.
 * Input that arrives already in fingerprint order (e.g. a set's own IDs fed
 * back) stays in one sequential store and needs neither sort nor copy.
 */
export class IdSetBuilder {
  private readonly fingerprinter: Fingerprinter;
  private readonly fingerprint = new Uint32Array(2);
  private readonly expectedBytes: number;
  private readonly expectedCount: number;
  /** All IDs, until there are many and they are out of order. */
  private sequential: IdColumns | undefined;
  /** IDs by the top bits of their fingerprint, after that. */
  private partitions: IdColumns[] | undefined;
  /** True while the IDs came in canonical fingerprint order. */
  private inFingerprintOrder = true;
  private previousHi = 0;
  private previousLo = 0;
  private idCount = 0;
  /** Scratch for encoding strings in {@link add}. */
  private encoded = Buffer.allocUnsafeSlow(256);
  /** The last source passed to {@link addBytes} and its view: one view per chunk, not per ID. */
  private source: Uint8Array = this.encoded;
  private sourceView = viewOf(this.encoded);
  private built = false;

  constructor(options: IdSetBuilderOptions = {}) {
    this.fingerprinter = options.fingerprinter ?? defaultFingerprinter;
    this.expectedBytes = Math.min(Math.max(options.expectedBytes ?? 0, 64 * 1024), MAX_SET_BYTES);
    this.expectedCount = options.expectedCount ?? Math.ceil(this.expectedBytes / 16);
    this.sequential = new IdColumns(this.expectedBytes, this.expectedCount);
  }

  /** How many IDs were added so far, repeats included. */
  get count(): number {
    return this.idCount;
  }

  /**
   * Adds an ID as given (no trimming). It must be non-empty and contain no
   * "\n", because sets are stored one ID per line.
   */
  add(id: string): void {
    if (id.length === 0) throw new RangeError("an ID must not be empty");
    if (id.includes("\n")) throw new RangeError("an ID must not contain a line feed");
    if (id.length * 3 > this.encoded.length) this.encoded = Buffer.allocUnsafeSlow(id.length * 3);
    const length = this.encoded.write(id, 0, "utf8");
    this.addBytes(this.encoded, 0, length);
  }

  /**
   * Adds the ID `source[start, end)` (UTF-8). The caller guarantees it is
   * non-empty and holds no "\n" (the line scanners do); this is the hot
   * path for files, so it is not re-checked here.
   */
  addBytes(source: Uint8Array, start: number, end: number): void {
    if (this.built) throw new Error("IdSetBuilder.build() was already called");
    if (source !== this.source) {
      this.source = source;
      this.sourceView = viewOf(source);
    }
    const view = this.sourceView;
    this.fingerprinter.fingerprint(view, start, end, this.fingerprint);
    const hi = this.fingerprint[0] as number;
    const lo = this.fingerprint[1] as number;
    this.idCount++;
    if (this.partitions !== undefined) {
      (this.partitions[hi >>> PARTITION_SHIFT] as IdColumns).append(view, start, end, hi, lo);
      return;
    }
    const sequential = this.sequential as IdColumns;
    if (this.inFingerprintOrder) {
      if (sequential.count > 0 && compareFingerprints(this.previousHi, this.previousLo, hi, lo) > 0) {
        this.inFingerprintOrder = false;
      }
      this.previousHi = hi;
      this.previousLo = lo;
    }
    if (!this.inFingerprintOrder && sequential.count >= PARTITION_FROM_COUNT) {
      this.partitions = this.partition(sequential);
      this.sequential = undefined;
      (this.partitions[hi >>> PARTITION_SHIFT] as IdColumns).append(view, start, end, hi, lo);
      return;
    }
    sequential.append(view, start, end, hi, lo);
  }

  /** Files the IDs stored so far into partitions; from now on IDs go straight there. */
  private partition(sequential: IdColumns): IdColumns[] {
    const bytesEach = Math.ceil((this.expectedBytes / PARTITIONS) * PARTITION_HEADROOM);
    const idsEach = Math.ceil((this.expectedCount / PARTITIONS) * PARTITION_HEADROOM);
    const partitions = Array.from({ length: PARTITIONS }, () => new IdColumns(bytesEach, idsEach));
    sequential.seal();
    for (let i = 0; i < sequential.count; i++) {
      const hi = sequential.hi[i] as number;
      (partitions[hi >>> PARTITION_SHIFT] as IdColumns).append(
        sequential.view,
        sequential.starts[i] as number,
        (sequential.starts[i + 1] as number) - 1,
        hi,
        sequential.lo[i] as number,
      );
    }
    return partitions;
  }

  /** Sorts, orders collisions, drops repeats and returns the set. The builder is spent afterwards. */
  build(): IdSet {
    if (this.built) throw new Error("IdSetBuilder.build() was already called");
    this.built = true;
    const n = this.idCount;
    const offsets = uninitializedUint32Array(n + 1);
    if (this.sequential !== undefined) {
      const sequential = this.sequential;
      this.sequential = undefined;
      // In order: written over itself, so nothing moves unless repeats are dropped.
      const writer = this.inFingerprintOrder
        ? new CanonicalWriter(sequential.bytes, offsets, sequential.hi, sequential.lo, sequential.view)
        : new CanonicalWriter(
            Buffer.allocUnsafeSlow(sequential.byteLength),
            offsets,
            uninitializedUint32Array(n),
            uninitializedUint32Array(n),
          );
      emitCanonical(sequential, this.inFingerprintOrder ? undefined : new FingerprintSortWorkspace(n), writer);
      return writer.finish(this.fingerprinter);
    }
    const partitions = this.partitions as IdColumns[];
    this.partitions = undefined;
    const totalBytes = partitions.reduce((sum, partition) => sum + partition.byteLength, 0);
    const writer = new CanonicalWriter(
      Buffer.allocUnsafeSlow(totalBytes),
      offsets,
      uninitializedUint32Array(n),
      uninitializedUint32Array(n),
    );
    const workspace = new FingerprintSortWorkspace(Math.max(...partitions.map((partition) => partition.count)));
    for (let p = 0; p < PARTITIONS; p++) {
      emitCanonical(partitions[p] as IdColumns, workspace, writer);
      // Done with it: let the GC have it while the next ones are written.
      partitions[p] = EMPTY_COLUMNS;
    }
    return writer.finish(this.fingerprinter);
  }
}

const EMPTY_COLUMNS = new IdColumns(0, 0);

/** Builds a set from strings, e.g. `idSetFrom(["a", "b"])`. Repeats are dropped and counted. */
export function idSetFrom(ids: Iterable<string>, options: IdSetBuilderOptions = {}): IdSet {
  const builder = new IdSetBuilder(options);
  for (const id of ids) builder.add(id);
  return builder.build();
}
