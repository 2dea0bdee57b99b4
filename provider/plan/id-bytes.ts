/**
 * Helpers on IDs held as UTF-8 byte ranges. IDs stay as bytes until someone
 * needs a string: 5M IDs as bytes cost ~23 B each, as V8 strings ~63 B.
 */

/**
 * Byte-wise three-way comparison of `a[startA, endA)` and `b[startB, endB)`,
 * like `Buffer.compare`. A JS loop beats the native call for short IDs.
 */
export function compareIdBytes(
  a: Uint8Array,
  startA: number,
  endA: number,
  b: Uint8Array,
  startB: number,
  endB: number,
): number {
  const lengthA = endA - startA;
  const lengthB = endB - startB;
  const common = lengthA < lengthB ? lengthA : lengthB;
  for (let k = 0; k < common; k++) {
    const byteA = a[startA + k] as number;
    const byteB = b[startB + k] as number;
    if (byteA !== byteB) return byteA < byteB ? -1 : 1;
  }
  return lengthA === lengthB ? 0 : lengthA < lengthB ? -1 : 1;
}

/** Copies `source[start, end)` to `target` at `at`; a JS loop beats `Buffer.copy` for short IDs. */
export function copyIdBytes(source: Uint8Array, start: number, end: number, target: Uint8Array, at: number): void {
  if (end - start > 64) {
    target.set(source.subarray(start, end), at);
    return;
  }
  for (let k = start; k < end; k++) target[at++] = source[k] as number;
}
