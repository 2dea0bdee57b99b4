/**
 * Finding where bytes stop being UTF-8, so that an error can name the line and column instead of
 * letting a decoder turn the byte into U+FFFD. Pure.
 */

/** A 1-based line and column; the column counts UTF-16 code units, as the spec's YAML positions do. */
export interface TextPosition {
  line: number;
  column: number;
}

/**
 * Offset of the first byte of the first sequence in `bytes[start, end)` that is not well-formed
 * UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no cut-off
 * sequence), or -1 when the range is all UTF-8.
 */
export function firstInvalidUtf8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let i = start;
  while (i < end) {
    const lead = bytes[i] as number;
    if (lead < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0; // overlong
      if (lead === 0xed) high = 0x9f; // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90; // overlong
      if (lead === 0xf4) high = 0x8f; // above U+10FFFF
    } else return i;
    if (i + length > end) return i;
    const second = bytes[i + 1] as number;
    if (second < low || second > high) return i;
    for (let k = 2; k < length; k++) if (((bytes[i + k] as number) & 0xc0) !== 0x80) return i;
    i += length;
  }
  return -1;
}

/**
 * Line and column of byte `offset` in `bytes`, which are valid UTF-8 before it: lines end at
 * "\n", and the column counts the characters of the line before the offset (UTF-16 units).
 */
export function utf8PositionAt(bytes: Uint8Array, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = Buffer.from(bytes.buffer, bytes.byteOffset + lineStart, offset - lineStart).toString("utf8");
  return { line, column: before.length + 1 };
}
