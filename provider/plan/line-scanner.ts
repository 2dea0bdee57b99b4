/**
 * Splits a stream of byte chunks into lines without decoding them: a line
 * reaches the handler as a byte range, so 5M lines cost no strings.
 */

const NEWLINE = 0x0a;

/**
 * Longest line of an ID file, in bytes: far above any valid ID (a COOKIE is at most 1,999
 * characters), small enough that a file without line breaks is not buffered whole. A longer
 * line is an error naming its file and line; lines are never split.
 */
export const MAX_ID_LINE_BYTES = 64 * 1024;

/**
 * Receives one line, `chunk[start, end)`, without its "\n" (a "\r" before
 * it is left in). The range is only valid during the call.
 */
export type LineHandler = (chunk: Buffer, start: number, end: number, lineNumber: number) => void;

/** Options for {@link forEachLine}. */
export interface ForEachLineOptions {
  /**
   * Longest line accepted, in bytes; guards against a file with no line
   * breaks being buffered whole.
   * @default {@link MAX_ID_LINE_BYTES}
   */
  readonly maxLineBytes?: number;
}

/** Thrown by {@link forEachLine} when a line exceeds `maxLineBytes`. */
export class LineTooLongError extends RangeError {
  override name = "LineTooLongError";
  constructor(
    readonly lineNumber: number,
    readonly maxLineBytes: number,
  ) {
    super(`line ${lineNumber} is longer than ${maxLineBytes} bytes`);
  }
}

/**
 * Calls `onLine` for every line of `source`, in order, including a last line
 * without a trailing "\n". Line numbers start at 1.
 *
 * @returns the number of lines.
 */
export async function forEachLine(
  source: AsyncIterable<Uint8Array>,
  onLine: LineHandler,
  options: ForEachLineOptions = {},
): Promise<number> {
  const maxLineBytes = options.maxLineBytes ?? MAX_ID_LINE_BYTES;
  let lineNumber = 0;
  // The unfinished end of the previous chunk, if any.
  let pending: Buffer | undefined;
  for await (const piece of source) {
    const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let position = 0;
    if (pending !== undefined) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        pending = Buffer.concat([pending, chunk]);
        if (pending.length > maxLineBytes) throw new LineTooLongError(lineNumber + 1, maxLineBytes);
        continue;
      }
      // Join only the straddling line, then carry on in the new chunk.
      const line = Buffer.concat([pending, chunk.subarray(0, newline)]);
      pending = undefined;
      if (line.length > maxLineBytes) throw new LineTooLongError(lineNumber + 1, maxLineBytes);
      onLine(line, 0, line.length, ++lineNumber);
      position = newline + 1;
    }
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, position);
      if (newline === -1) break;
      if (newline - position > maxLineBytes) throw new LineTooLongError(lineNumber + 1, maxLineBytes);
      onLine(chunk, position, newline, ++lineNumber);
      position = newline + 1;
    }
    if (position < chunk.length) {
      if (chunk.length - position > maxLineBytes) throw new LineTooLongError(lineNumber + 1, maxLineBytes);
      // Copy: the producer may reuse its buffer for the next chunk.
      pending = Buffer.from(chunk.subarray(position));
    }
  }
  if (pending !== undefined) onLine(pending, 0, pending.length, ++lineNumber);
  return lineNumber;
}
