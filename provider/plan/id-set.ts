import { compareFingerprints } from "./fingerprint-sort";
import { compareIdBytes, viewOf } from "./id-bytes";
import { defaultFingerprinter, type Fingerprinter } from "./fingerprint";

/**
 * The parts of an {@link IdSet}, already in canonical order. Build them with
 * `IdSetBuilder`; this shape exists so the builder can hand over its arrays
 * without copying.
 */
export interface IdSetParts {
  readonly fingerprinter: Fingerprinter;
  /** Every ID as UTF-8 followed by "\n", in canonical order. */
  readonly bytes: Buffer;
  /** `offsets[i]` is where ID i starts in `bytes`; `offsets[size]` is `bytes.length`. */
  readonly offsets: Uint32Array;
  /** High 32 bits of each ID's fingerprint, ascending with `fingerprintLo`. */
  readonly fingerprintHi: Uint32Array;
  /** Low 32 bits of each ID's fingerprint. */
  readonly fingerprintLo: Uint32Array;
  /** How many repeated IDs the input had (removed; not part of the set's value). */
  readonly duplicatesRemoved: number;
  /** How many IDs share their fingerprint with a different, earlier ID. */
  readonly fingerprintCollisions: number;
}

/**
 * An immutable set of IDs that scales past the 2^24 entries of a JS `Set`.
 *
 * Canonical order: ascending 64-bit fingerprint, ties (a fingerprint
 * collision) broken by comparing the UTF-8 bytes. Two sets are equal exactly
 * when their canonical bytes are equal, so diffing is a linear merge and the
 * digest needs no string sort. Equality of IDs is always decided on bytes,
 * never on fingerprints alone.
 *
 * IDs are stored as UTF-8; a lone UTF-16 surrogate cannot be represented
 * and comes back as U+FFFD. The typed arrays are exposed for speed: treat
 * them as read-only.
 */
export class IdSet implements Iterable<string> {
  readonly size: number;
  readonly fingerprinter: Fingerprinter;
  readonly bytes: Buffer;
  /** A DataView of {@link bytes}, for word-wise comparisons. */
  readonly view: DataView;
  readonly offsets: Uint32Array;
  readonly fingerprintHi: Uint32Array;
  readonly fingerprintLo: Uint32Array;
  readonly duplicatesRemoved: number;
  readonly fingerprintCollisions: number;

  constructor(parts: IdSetParts) {
    this.size = parts.fingerprintHi.length;
    if (parts.fingerprintLo.length !== this.size || parts.offsets.length !== this.size + 1) {
      throw new RangeError("IdSet parts disagree on the number of IDs");
    }
    if (parts.offsets[this.size] !== parts.bytes.length) {
      throw new RangeError("IdSet offsets do not end at the end of the bytes");
    }
    this.fingerprinter = parts.fingerprinter;
    this.bytes = parts.bytes;
    this.view = viewOf(parts.bytes);
    this.offsets = parts.offsets;
    this.fingerprintHi = parts.fingerprintHi;
    this.fingerprintLo = parts.fingerprintLo;
    this.duplicatesRemoved = parts.duplicatesRemoved;
    this.fingerprintCollisions = parts.fingerprintCollisions;
  }

  /** An empty set, e.g. "nothing applied yet". */
  static empty(fingerprinter: Fingerprinter = defaultFingerprinter): IdSet {
    return new IdSet({
      fingerprinter,
      bytes: Buffer.alloc(0),
      offsets: new Uint32Array(1),
      fingerprintHi: new Uint32Array(0),
      fingerprintLo: new Uint32Array(0),
      duplicatesRemoved: 0,
      fingerprintCollisions: 0,
    });
  }

  /** Where ID `index` starts in {@link bytes}. */
  startOf(index: number): number {
    return this.offsets[index] as number;
  }

  /** Where ID `index` ends in {@link bytes} (exclusive; the "\n" is not part of it). */
  endOf(index: number): number {
    return (this.offsets[index + 1] as number) - 1;
  }

  /** The ID at canonical position `index`. */
  idAt(index: number): string {
    if (!(index >= 0 && index < this.size)) throw new RangeError(`index ${index} outside 0..${this.size - 1}`);
    return this.bytes.toString("utf8", this.startOf(index), this.endOf(index));
  }

  /** The fingerprint of ID `index` as one 64-bit number. */
  fingerprintAt(index: number): bigint {
    return (BigInt(this.fingerprintHi[index] as number) << 32n) | BigInt(this.fingerprintLo[index] as number);
  }

  /** True when `id` is a member. A binary search on the fingerprint, then a byte comparison. */
  has(id: string): boolean {
    const bytes = viewOf(Buffer.from(id, "utf8"));
    const fingerprint = new Uint32Array(2);
    this.fingerprinter.fingerprint(bytes, 0, bytes.byteLength, fingerprint);
    const hi = fingerprint[0] as number;
    const lo = fingerprint[1] as number;
    let low = 0;
    let high = this.size;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const order = compareFingerprints(this.fingerprintHi[middle] as number, this.fingerprintLo[middle] as number, hi, lo);
      if (order < 0) low = middle + 1;
      else high = middle;
    }
    for (let i = low; i < this.size && this.fingerprintHi[i] === hi && this.fingerprintLo[i] === lo; i++) {
      if (compareIdBytes(this.view, this.startOf(i), this.endOf(i), bytes, 0, bytes.byteLength) === 0) return true;
    }
    return false;
  }

  /** The IDs in canonical order. */
  *[Symbol.iterator](): IterableIterator<string> {
    for (let i = 0; i < this.size; i++) yield this.bytes.toString("utf8", this.startOf(i), this.endOf(i));
  }

  /** The IDs as an array; for tests and small sets (5M strings cost ~300 MB). */
  toArray(): string[] {
    return Array.from(this);
  }
}
