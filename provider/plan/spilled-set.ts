/**
 * A set kept on disk instead of in memory: its canonical bytes (what {@link IdSet.bytes} would
 * hold) in one file, with where each fingerprint range starts. Read a range or a run of ranges
 * at a time ({@link SpilledSet.ranges}); the digest and the snapshot stream the file. The page
 * cache holds it, not the process.
 */
import { createHash, randomUUID } from "node:crypto";
import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { NotCanonicalError } from "./canonical-bytes";
import { compareFingerprints } from "./fingerprint-sort";
import type { Fingerprinter } from "./fingerprint";
import { compareIdBytes, viewOf } from "./id-bytes";
import { IdSet } from "./id-set";
import { RANGE_COUNT, rangeOf } from "./fingerprint-range";
import { digestPrefix } from "./set-digest";

/** Reads and hashes go through buffers of this size. */
const READ_BYTES = 1 << 20;
const NEWLINE = 0x0a;
/** Each ID's fingerprint in the sidecar file: high and low 32 bits, native byte order. */
const FINGERPRINT_BYTES = 8;

/** The sidecar of a spilled set's file: its IDs' fingerprints, in the same order. */
function fingerprintsPathOf(path: string): string {
  return `${path}.fp`;
}

/** `length` bytes of a file from `start`. */
function readRange(path: string, start: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafeSlow(length);
  const fd = openSync(path, "r");
  try {
    for (let at = 0; at < length; ) {
      const read = readSync(fd, bytes, at, Math.min(length - at, 1 << 30), start + at);
      if (read === 0) throw new Error(`${path}: ends early`);
      at += read;
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

export class SpilledSet {
  private digestValue: string | undefined;

  constructor(
    /** The file of canonical ID lines. */
    readonly path: string,
    readonly fingerprinter: Fingerprinter,
    /** `starts[r]` is where range r begins in the file; `starts[RANGE_COUNT]` is its length. */
    private readonly starts: readonly number[],
    /** IDs per range. */
    private readonly counts: readonly number[],
    /** Repeats dropped while it was built. */
    readonly duplicatesRemoved = 0,
  ) {}

  get size(): number {
    return this.counts.reduce((sum, n) => sum + n, 0);
  }

  /** Bytes of its ID lines. */
  get byteLength(): number {
    return this.starts[RANGE_COUNT] as number;
  }

  /** Bytes of the ID lines in ranges `[from, to)`. */
  bytesIn(from: number, to: number): number {
    return (this.starts[to] as number) - (this.starts[from] as number);
  }

  /**
   * The IDs in ranges `[from, to)`, read from the file with their fingerprints from its sidecar
   * (written with them, so nothing is fingerprinted or checked again: the file is this process's
   * own, in a private folder, and everything was checked on its way in).
   */
  ranges(from: number, to: number): IdSet {
    const start = this.starts[from] as number;
    const bytes = readRange(this.path, start, (this.starts[to] as number) - start);
    let first = 0;
    for (let r = 0; r < from; r++) first += this.counts[r] as number;
    let count = 0;
    for (let r = from; r < to; r++) count += this.counts[r] as number;
    const pairs = readRange(fingerprintsPathOf(this.path), first * FINGERPRINT_BYTES, count * FINGERPRINT_BYTES);
    const words = new Uint32Array(pairs.buffer, pairs.byteOffset, count * 2);
    const hi = new Uint32Array(count);
    const lo = new Uint32Array(count);
    const offsets = new Uint32Array(count + 1);
    let at = 0;
    for (let i = 0; i < count; i++) {
      hi[i] = words[2 * i] as number;
      lo[i] = words[2 * i + 1] as number;
      offsets[i] = at;
      at = bytes.indexOf(NEWLINE, at) + 1;
      if (at === 0) throw new Error(`${this.path}: fewer IDs than its index says`);
    }
    offsets[count] = at;
    if (at !== bytes.length) throw new Error(`${this.path}: more IDs than its index says`);
    return new IdSet({ fingerprinter: this.fingerprinter, bytes, offsets, fingerprintHi: hi, fingerprintLo: lo, duplicatesRemoved: 0, fingerprintCollisions: 0 });
  }

  /** The file's bytes in order, in pieces of about 1 MiB (for the snapshot and the digest). */
  async *pieces(): AsyncGenerator<Buffer> {
    const file = await open(this.path, "r");
    try {
      for (let at = 0; at < this.byteLength; ) {
        const piece = Buffer.allocUnsafe(Math.min(READ_BYTES, this.byteLength - at));
        const { bytesRead } = await file.read(piece, 0, piece.length, at);
        if (bytesRead === 0) throw new Error(`${this.path}: ends early`);
        at += bytesRead;
        yield bytesRead === piece.length ? piece : piece.subarray(0, bytesRead);
      }
    } finally {
      await file.close();
    }
  }

  /** The same digest as `setDigest` gives the set in memory, read in one pass. */
  async digest(): Promise<string> {
    if (this.digestValue === undefined) {
      const hash = createHash("sha256").update(digestPrefix(this.fingerprinter, this.size));
      for await (const piece of this.pieces()) hash.update(piece);
      this.digestValue = hash.digest("hex");
    }
    return this.digestValue;
  }

  /** The IDs as strings, in canonical order; for tests and small sets. */
  toArray(): string[] {
    return this.ranges(0, RANGE_COUNT).toArray();
  }

  /** Deletes its files. */
  dispose(): void {
    rmSync(this.path, { force: true });
    rmSync(fingerprintsPathOf(this.path), { force: true });
  }
}

/**
 * Writes a {@link SpilledSet} from canonical sets appended in order: each one's IDs must all come
 * after the IDs written before (as the ranges of a set, or the merged runs of a sort, do).
 */
export class SpilledSetWriter {
  private readonly fd: number;
  private readonly fingerprintsFd: number;
  private readonly rangeBytes = new Float64Array(RANGE_COUNT);
  private readonly counts = new Float64Array(RANGE_COUNT);
  private readonly last = new Uint32Array(2);
  private lastId: Buffer | undefined;
  private duplicates = 0;
  private closed = false;
  readonly path: string;

  constructor(
    directory: string,
    private readonly fingerprinter: Fingerprinter,
  ) {
    this.path = join(directory, `set-${randomUUID()}.ids`);
    this.fd = openSync(this.path, "wx");
    this.fingerprintsFd = openSync(fingerprintsPathOf(this.path), "wx");
  }

  /** Counts repeats dropped before the sets were appended (e.g. within sorted runs). */
  countRepeats(repeats: number): void {
    this.duplicates += repeats;
  }

  /** Appends the IDs of `set`, which must all follow the IDs appended before. */
  append(set: IdSet, duplicatesRemoved = 0): void {
    this.duplicates += duplicatesRemoved;
    if (this.closed) throw new Error("SpilledSetWriter.finish() was already called");
    if (set.size === 0) return;
    if (set.fingerprinter.name !== this.fingerprinter.name) throw new Error("cannot write sets of different fingerprint algorithms into one");
    if (this.lastId !== undefined) {
      let order = compareFingerprints(this.last[0] as number, this.last[1] as number, set.fingerprintHi[0] as number, set.fingerprintLo[0] as number);
      if (order === 0) order = compareIdBytes(viewOf(this.lastId), 0, this.lastId.length, set.view, set.startOf(0), set.endOf(0));
      if (order >= 0) throw new NotCanonicalError("IDs appended out of canonical order");
    }
    for (let i = 0; i < set.size; i++) {
      const range = rangeOf(set.fingerprintHi[i] as number);
      (this.counts[range] as number)++;
      (this.rangeBytes[range] as number) += (set.offsets[i + 1] as number) - (set.offsets[i] as number);
    }
    for (let at = 0; at < set.bytes.length; ) at += writeSync(this.fd, set.bytes, at, set.bytes.length - at);
    const words = new Uint32Array(set.size * 2);
    for (let i = 0; i < set.size; i++) {
      words[2 * i] = set.fingerprintHi[i] as number;
      words[2 * i + 1] = set.fingerprintLo[i] as number;
    }
    const pairs = Buffer.from(words.buffer);
    for (let at = 0; at < pairs.length; ) at += writeSync(this.fingerprintsFd, pairs, at, pairs.length - at);
    const final = set.size - 1;
    this.last[0] = set.fingerprintHi[final] as number;
    this.last[1] = set.fingerprintLo[final] as number;
    this.lastId = Buffer.from(set.bytes.subarray(set.startOf(final), set.endOf(final)));
  }

  /** Closes the file and returns the set. */
  finish(): SpilledSet {
    if (this.closed) throw new Error("SpilledSetWriter.finish() was already called");
    this.closed = true;
    closeSync(this.fd);
    closeSync(this.fingerprintsFd);
    const starts = [0];
    for (let r = 0; r < RANGE_COUNT; r++) starts.push((starts[r] as number) + (this.rangeBytes[r] as number));
    return new SpilledSet(this.path, this.fingerprinter, starts, Array.from(this.counts), this.duplicates);
  }

  /** Closes and deletes the file (on an error part-way). */
  abandon(): void {
    if (!this.closed) {
      closeSync(this.fd);
      closeSync(this.fingerprintsFd);
    }
    this.closed = true;
    rmSync(this.path, { force: true });
    rmSync(fingerprintsPathOf(this.path), { force: true });
  }
}
