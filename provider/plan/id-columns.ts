import { copyIdBytes, viewOf } from "./id-bytes";

const NEWLINE = 0x0a;
/** Offsets are Uint32, so one set holds at most 4 GiB of ID bytes. */
export const MAX_SET_BYTES = 2 ** 32 - 1;
/** Pre-sizing beyond this many IDs is left to growth: a wrong estimate must not allocate gigabytes. */
const MAX_PRESIZED_IDS = 1 << 26;

/**
 * A growable column store of IDs: their bytes (each followed by "\n"), and
 * per ID where it starts and its fingerprint halves. Typed arrays instead
 * of objects: 12 B per ID besides the bytes, and nothing for the GC to trace.
 */
export class IdColumns {
  bytes: Buffer;
  /** A view of `bytes`, kept in step with it. */
  view: DataView;
  byteLength = 0;
  /** `starts[i]` is where ID i starts; has room for the `starts[count]` sentinel. */
  starts: Uint32Array;
  hi: Uint32Array;
  lo: Uint32Array;
  count = 0;

  constructor(byteCapacity: number, idCapacity: number) {
    this.bytes = Buffer.allocUnsafeSlow(Math.min(Math.max(byteCapacity, 256), MAX_SET_BYTES));
    this.view = viewOf(this.bytes);
    const ids = Math.min(Math.max(idCapacity, 16), MAX_PRESIZED_IDS);
    this.starts = uninitializedUint32Array(ids + 1);
    this.hi = uninitializedUint32Array(ids);
    this.lo = uninitializedUint32Array(ids);
  }

  /** Appends the ID `source[start, end)` with its fingerprint. */
  append(source: DataView, start: number, end: number, hi: number, lo: number): void {
    const at = this.byteLength;
    const next = at + end - start + 1;
    if (next > this.bytes.length) this.growBytes(next);
    if (this.count === this.hi.length) this.growIds();
    copyIdBytes(source, start, end, this.view, at);
    this.bytes[next - 1] = NEWLINE;
    this.byteLength = next;
    const index = this.count++;
    this.starts[index] = at;
    this.hi[index] = hi;
    this.lo[index] = lo;
  }

  /** Sets the sentinel, so ID i always spans `starts[i]` to `starts[i + 1]`. */
  seal(): void {
    this.starts[this.count] = this.byteLength;
  }

  private growBytes(needed: number): void {
    if (needed > MAX_SET_BYTES) throw new RangeError("an IdSet holds at most 4 GiB of ID bytes");
    const grown = Buffer.allocUnsafeSlow(Math.min(Math.max(needed, this.bytes.length * 2), MAX_SET_BYTES));
    this.bytes.copy(grown, 0, 0, this.byteLength);
    this.bytes = grown;
    this.view = viewOf(grown);
  }

  private growIds(): void {
    const capacity = this.hi.length * 2;
    this.starts = grow(this.starts, capacity + 1);
    this.hi = grow(this.hi, capacity);
    this.lo = grow(this.lo, capacity);
  }
}

function grow(array: Uint32Array, capacity: number): Uint32Array {
  const grown = uninitializedUint32Array(capacity);
  grown.set(array);
  return grown;
}

/**
 * A Uint32Array whose memory is not zeroed (like `Buffer.allocUnsafeSlow`),
 * for arrays written before they are read: zeroing and faulting in pages
 * that are about to be overwritten cost ~0.1 s per 5M-ID set.
 */
export function uninitializedUint32Array(length: number): Uint32Array {
  return new Uint32Array(Buffer.allocUnsafeSlow(length * Uint32Array.BYTES_PER_ELEMENT).buffer, 0, length);
}
