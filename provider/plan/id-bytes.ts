/**
 * Helpers on IDs held as UTF-8 byte ranges. IDs stay as bytes until someone
 * needs a string: 5M IDs as bytes cost ~23 B each, as V8 strings ~63 B.
 *
 * They work on DataViews, 4 bytes at a time: for 22-byte IDs that is twice
 * as fast as a byte loop and 4–5× faster than the native `Buffer.copy` /
 * `Buffer.compare`, whose call overhead dominates for short ranges.
 */

/** A DataView over exactly the bytes of `bytes`. */
export function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Byte-wise three-way comparison of `a[startA, endA)` and `b[startB, endB)`,
 * like `Buffer.compare`. Big-endian words compare in byte order.
 */
export function compareIdBytes(
  a: DataView,
  startA: number,
  endA: number,
  b: DataView,
  startB: number,
  endB: number,
): number {
  const lengthA = endA - startA;
  const lengthB = endB - startB;
  const common = lengthA < lengthB ? lengthA : lengthB;
  let k = 0;
  for (; k + 4 <= common; k += 4) {
    const wordA = a.getUint32(startA + k);
    const wordB = b.getUint32(startB + k);
    if (wordA !== wordB) return wordA < wordB ? -1 : 1;
  }
  for (; k < common; k++) {
    const byteA = a.getUint8(startA + k);
    const byteB = b.getUint8(startB + k);
    if (byteA !== byteB) return byteA < byteB ? -1 : 1;
  }
  return lengthA === lengthB ? 0 : lengthA < lengthB ? -1 : 1;
}

/**
 * Copies `source[start, end)` to `target` at `at`. Forward, word by word,
 * so it is safe within one buffer when `at <= start`.
 */
export function copyIdBytes(source: DataView, start: number, end: number, target: DataView, at: number): void {
  const length = end - start;
  let k = 0;
  for (; k + 4 <= length; k += 4) target.setUint32(at + k, source.getUint32(start + k, true), true);
  for (; k < length; k++) target.setUint8(at + k, source.getUint8(start + k));
}
