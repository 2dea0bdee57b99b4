import { sortFingerprints, type FingerprintSortWorkspace } from "./fingerprint-sort";
import { copyIdBytes, viewOf } from "./id-bytes";
import type { IdColumns } from "./id-columns";
import type { Fingerprinter } from "./fingerprint";
import { IdSet } from "./id-set";

/**
 * Writing IDs out in canonical order (fingerprint, then bytes), without
 * repeats. The builder hands over one partition at a time, small enough to
 * sit in cache while it is sorted and gathered.
 */

/**
 * Emits every ID of `columns` to `writer` in canonical order, sorting with
 * `workspace` first; without one the fingerprints must already be
 * ascending. Consumes `columns`: its fingerprint arrays are sorted in place.
 */
export function emitCanonical(columns: IdColumns, workspace: FingerprintSortWorkspace | undefined, writer: CanonicalWriter): void {
  const m = columns.count;
  columns.seal();
  const hi = columns.hi.subarray(0, m);
  const lo = columns.lo.subarray(0, m);
  const order = workspace === undefined ? undefined : sortFingerprints(hi, lo, workspace);
  const { view, starts } = columns;
  let k = 0;
  while (k < m) {
    const h = hi[k] as number;
    const l = lo[k] as number;
    let runEnd = k + 1;
    while (runEnd < m && hi[runEnd] === h && lo[runEnd] === l) runEnd++;
    if (runEnd - k === 1) {
      const index = order === undefined ? k : (order[k] as number);
      writer.emit(view, starts[index] as number, starts[index + 1] as number, h, l);
    } else {
      emitRun(columns, order === undefined ? undefined : order.subarray(k, runEnd), k, runEnd, h, l, writer);
    }
    k = runEnd;
  }
}

/**
 * Emits IDs sharing one fingerprint (repeats or true collisions, both
 * rare): ordered by bytes, repeats dropped and counted. Members are copied
 * out first because the writer may be overwriting this very buffer.
 */
function emitRun(
  columns: IdColumns,
  order: Uint32Array | undefined,
  from: number,
  to: number,
  hi: number,
  lo: number,
  writer: CanonicalWriter,
): void {
  const members: Buffer[] = [];
  for (let k = from; k < to; k++) {
    const index = order === undefined ? k : (order[k - from] as number);
    members.push(Buffer.from(columns.bytes.subarray(columns.starts[index] as number, columns.starts[index + 1] as number)));
  }
  members.sort(Buffer.compare);
  let previous: Buffer | undefined;
  for (const member of members) {
    if (previous !== undefined) {
      if (previous.equals(member)) {
        writer.duplicates++;
        continue;
      }
      writer.collisions++;
    }
    writer.emit(viewOf(member), 0, member.length, hi, lo);
    previous = member;
  }
}

/** Appends canonical IDs (bytes with their "\n", fingerprints, offsets) into preallocated arrays. */
export class CanonicalWriter {
  private readonly targetView: DataView;
  private count = 0;
  private cursor = 0;
  duplicates = 0;
  collisions = 0;

  /**
   * @param target receives the bytes; may be the very buffer being emitted
   *   from, when IDs only ever move towards its start.
   */
  constructor(
    private readonly target: Buffer,
    private readonly offsets: Uint32Array,
    private readonly hi: Uint32Array,
    private readonly lo: Uint32Array,
    /** Pass the emitting store's own view when `target` is that store. */
    targetView?: DataView,
  ) {
    this.targetView = targetView ?? viewOf(target);
  }

  /** Appends the ID `source[start, end)`, its "\n" included. */
  emit(source: DataView, start: number, end: number, hi: number, lo: number): void {
    const at = this.cursor;
    // Already in place (input in canonical order, written over itself): nothing to copy.
    if (source !== this.targetView || start !== at) copyIdBytes(source, start, end, this.targetView, at);
    this.offsets[this.count] = at;
    this.hi[this.count] = hi;
    this.lo[this.count] = lo;
    this.count++;
    this.cursor = at + end - start;
  }

  finish(fingerprinter: Fingerprinter): IdSet {
    const kept = this.count;
    const totalBytes = this.cursor;
    this.offsets[kept] = totalBytes;
    return new IdSet({
      fingerprinter,
      bytes: trimmed(this.target, totalBytes),
      offsets: trimmed(this.offsets, kept + 1),
      fingerprintHi: trimmed(this.hi, kept),
      fingerprintLo: trimmed(this.lo, kept),
      duplicatesRemoved: this.duplicates,
      fingerprintCollisions: this.collisions,
    });
  }
}

/**
 * The first `length` elements. A view keeps its whole buffer alive, so copy
 * when much of the buffer would be wasted (growth slack, dropped repeats).
 */
function trimmed<T extends Buffer | Uint32Array>(array: T, length: number): T {
  const used = length * array.BYTES_PER_ELEMENT;
  const view = array.subarray(0, length) as T;
  if ((array.buffer.byteLength - used) * 8 <= used) return view;
  // Buffer#slice makes a view, not a copy.
  return (Buffer.isBuffer(view) ? Buffer.from(view) : view.slice()) as T;
}
