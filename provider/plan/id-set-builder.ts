import { compareFingerprints, sortFingerprints } from "./fingerprint-sort";
import { compareIdBytes, copyIdBytes } from "./id-bytes";
import { IdSet } from "./id-set";
import { defaultFingerprinter, type Fingerprinter } from "./fingerprint";

const NEWLINE = 0x0a;
const MIN_ID_CAPACITY = 1024;
/** Offsets are Uint32, so one set holds at most 4 GiB of ID bytes. */
const MAX_TOTAL_BYTES = 2 ** 32 - 1;

/** Options for {@link IdSetBuilder}. */
export interface IdSetBuilderOptions {
  /** How IDs are fingerprinted. @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
  /**
   * Expected total size in bytes of all IDs plus one per ID (e.g. the size
   * of the ID file). Pre-sizes the byte store so it never has to grow.
   * @default 64 KiB, doubling as needed
   */
  readonly expectedBytes?: number;
}

/**
 * Collects IDs (as strings or byte ranges) and turns them into a canonical
 * {@link IdSet}: fingerprint, sort by fingerprint, order collisions by bytes,
 * drop duplicates. One builder builds one set.
 */
export class IdSetBuilder {
  private readonly fingerprinter: Fingerprinter;
  private readonly fingerprint = new Uint32Array(2);
  private store: Buffer;
  private storeUsed = 0;
  private starts: Uint32Array;
  private hi: Uint32Array;
  private lo: Uint32Array;
  private idCount = 0;
  /** Still in canonical fingerprint order (e.g. a snapshot): the sort can be skipped. */
  private inFingerprintOrder = true;
  private built = false;

  constructor(options: IdSetBuilderOptions = {}) {
    this.fingerprinter = options.fingerprinter ?? defaultFingerprinter;
    const expectedBytes = Math.min(Math.max(options.expectedBytes ?? 0, 64 * 1024), MAX_TOTAL_BYTES);
    this.store = Buffer.allocUnsafeSlow(expectedBytes);
    this.starts = new Uint32Array(MIN_ID_CAPACITY);
    this.hi = new Uint32Array(MIN_ID_CAPACITY);
    this.lo = new Uint32Array(MIN_ID_CAPACITY);
  }

  /** How many IDs were added so far, duplicates included. */
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
    this.ensureStore(id.length * 3 + 1);
    const start = this.storeUsed;
    const length = this.store.write(id, start, "utf8");
    this.append(start, length);
  }

  /**
   * Adds the ID `source[start, end)` (UTF-8). The caller guarantees it is
   * non-empty and holds no "\n" (the line scanners do); this is the hot
   * path for files and snapshots, so it is not re-checked here.
   */
  addBytes(source: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.ensureStore(length + 1);
    const at = this.storeUsed;
    copyIdBytes(source, start, end, this.store, at);
    this.append(at, length);
  }

  /** Records the ID just written at `store[start, start + length)`. */
  private append(start: number, length: number): void {
    const end = start + length;
    this.store[end] = NEWLINE;
    this.storeUsed = end + 1;
    if (this.idCount === this.hi.length) this.growIds();
    this.fingerprinter.fingerprint(this.store, start, end, this.fingerprint);
    const hi = this.fingerprint[0] as number;
    const lo = this.fingerprint[1] as number;
    const index = this.idCount++;
    if (
      this.inFingerprintOrder &&
      index > 0 &&
      compareFingerprints(this.hi[index - 1] as number, this.lo[index - 1] as number, hi, lo) > 0
    ) {
      this.inFingerprintOrder = false;
    }
    this.starts[index] = start;
    this.hi[index] = hi;
    this.lo[index] = lo;
  }

  private ensureStore(extra: number): void {
    const needed = this.storeUsed + extra;
    if (needed <= this.store.length) return;
    if (needed > MAX_TOTAL_BYTES) throw new RangeError("an IdSet holds at most 4 GiB of ID bytes");
    const grown = Buffer.allocUnsafeSlow(Math.min(Math.max(needed, this.store.length * 2), MAX_TOTAL_BYTES));
    this.store.copy(grown, 0, 0, this.storeUsed);
    this.store = grown;
  }

  private growIds(): void {
    const capacity = this.hi.length * 2;
    this.starts = grow(this.starts, capacity);
    this.hi = grow(this.hi, capacity);
    this.lo = grow(this.lo, capacity);
  }

  /** Sorts, orders collisions, removes duplicates and returns the set. The builder is spent afterwards. */
  build(): IdSet {
    if (this.built) throw new Error("IdSetBuilder.build() was already called");
    this.built = true;
    const n = this.idCount;
    const hi = this.hi.subarray(0, n);
    const lo = this.lo.subarray(0, n);
    const starts = this.starts.subarray(0, n);
    const ends = (i: number): number => (i + 1 < n ? (starts[i + 1] as number) : this.storeUsed) - 1;
    let order: Uint32Array;
    if (this.inFingerprintOrder) {
      order = new Uint32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    } else {
      order = sortFingerprints(hi, lo);
    }
    const resolved = resolveEqualFingerprints(this.store, starts, ends, hi, lo, order);
    const kept = resolved.kept;
    let totalBytes = 0;
    let identity = kept === n;
    for (let k = 0; k < kept; k++) {
      const original = order[k] as number;
      if (original !== k) identity = false;
      totalBytes += ends(original) - (starts[original] as number) + 1;
    }
    const offsets = new Uint32Array(kept + 1);
    let bytes: Buffer;
    if (identity) {
      // Input already canonical (snapshots): reuse the store. Copy only when
      // the unused capacity is large, since a view keeps all of it alive.
      for (let k = 0; k < kept; k++) offsets[k] = starts[k] as number;
      const slack = this.store.length - totalBytes;
      bytes = slack * 8 <= totalBytes ? this.store.subarray(0, totalBytes) : Buffer.from(this.store.subarray(0, totalBytes));
    } else {
      bytes = Buffer.allocUnsafeSlow(totalBytes);
      let at = 0;
      for (let k = 0; k < kept; k++) {
        const original = order[k] as number;
        const start = starts[original] as number;
        const end = ends(original) + 1;
        offsets[k] = at;
        copyIdBytes(this.store, start, end, bytes, at);
        at += end - start;
      }
    }
    offsets[kept] = totalBytes;
    return new IdSet({
      fingerprinter: this.fingerprinter,
      bytes,
      offsets,
      fingerprintHi: hi.slice(0, kept),
      fingerprintLo: lo.slice(0, kept),
      duplicatesRemoved: resolved.duplicates,
      fingerprintCollisions: resolved.collisions,
    });
  }
}

/**
 * Within each run of equal fingerprints (sorted arrays), orders the IDs by
 * bytes and drops repeats, compacting `hi`, `lo` and `order` in place.
 */
function resolveEqualFingerprints(
  store: Buffer,
  starts: Uint32Array,
  ends: (index: number) => number,
  hi: Uint32Array,
  lo: Uint32Array,
  order: Uint32Array,
): { kept: number; duplicates: number; collisions: number } {
  const n = hi.length;
  let kept = 0;
  let duplicates = 0;
  let collisions = 0;
  let runStart = 0;
  while (runStart < n) {
    const runHi = hi[runStart] as number;
    const runLo = lo[runStart] as number;
    let runEnd = runStart + 1;
    while (runEnd < n && hi[runEnd] === runHi && lo[runEnd] === runLo) runEnd++;
    if (runEnd - runStart === 1) {
      hi[kept] = runHi;
      lo[kept] = runLo;
      order[kept++] = order[runStart] as number;
    } else {
      // Rare: a duplicate or a true collision. Sort the few members by bytes.
      const members = Array.from(order.subarray(runStart, runEnd)).sort((a, b) =>
        compareIdBytes(store, starts[a] as number, ends(a), store, starts[b] as number, ends(b)),
      );
      let previous = -1;
      for (const member of members) {
        if (
          previous >= 0 &&
          compareIdBytes(store, starts[previous] as number, ends(previous), store, starts[member] as number, ends(member)) === 0
        ) {
          duplicates++;
          continue;
        }
        if (previous >= 0) collisions++;
        hi[kept] = runHi;
        lo[kept] = runLo;
        order[kept++] = member;
        previous = member;
      }
    }
    runStart = runEnd;
  }
  return { kept, duplicates, collisions };
}

function grow(array: Uint32Array, capacity: number): Uint32Array {
  const grown = new Uint32Array(capacity);
  grown.set(array);
  return grown;
}

/** Builds a set from strings, e.g. `idSetFrom(["a", "b"])`. Duplicates are dropped and counted. */
export function idSetFrom(ids: Iterable<string>, options: IdSetBuilderOptions = {}): IdSet {
  const builder = new IdSetBuilder(options);
  for (const id of ids) builder.add(id);
  return builder.build();
}
