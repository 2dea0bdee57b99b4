/**
 * Reads a CSV file as raw bytes and hands out chunks of whole records as UTF-8 bytes, each in an
 * ArrayBuffer of its own, so a chunk moves to a worker thread by transfer (no copy, no decoding
 * on the reading thread: the worker decodes its own chunk). Record boundaries are found on the
 * bytes (quote-aware, see recordBoundary). The BOM is dropped. Text is decoded only for the
 * header and for the rare checks of a record that has not ended (the row limit counts characters).
 */
import * as fs from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { recordBoundary, type RecordDelimiter } from "./csv-chunks";
import { overLongColumnOfPartialRecord } from "./csv-limits";

/**
 * A record that has not ended after this many times the row limit in raw text is too long even if
 * its fields are not (a line of separators only): it is not buffered further.
 */
const RAW_SLACK = 4;
const BOM = [0xef, 0xbb, 0xbf] as const;
/** Largest piece read at once: a chunk is assembled from pieces of at most this size. */
const MAX_PIECE_BYTES = 4 * 1024 * 1024;

export class CsvByteReader {
  private readonly stream: fs.ReadStream;
  private readonly iterator: AsyncIterator<Buffer>;
  /** Bytes read and not yet handed out; starts at a record start once the header is taken. */
  private carry: Buffer = Buffer.alloc(0);
  /** `carry` decoded, while it has not changed. */
  private decoded: string | undefined;
  atEnd = false;
  private first = true;

  constructor(
    private readonly path: string,
    /** Bytes per chunk (rounded to whole records). */
    private readonly chunkBytes: number,
    private readonly maxRowChars: number,
  ) {
    this.stream = fs.createReadStream(path, { highWaterMark: Math.min(chunkBytes, MAX_PIECE_BYTES) });
    this.iterator = this.stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  async size(): Promise<number> {
    return (await fs.promises.stat(this.path)).size;
  }

  /**
   * The unread text. Until the end of input, a multi-byte character cut by the end of what has
   * been read is left out, as a streaming decoder holds it back, so the text never ends in a
   * false U+FFFD.
   */
  get text(): string {
    this.decoded ??= this.atEnd ? this.carry.toString("utf8") : new StringDecoder("utf8").write(this.carry);
    return this.decoded;
  }

  /** Drops the first `chars` characters of {@link text} (the header, once parsed). */
  dropText(chars: number): void {
    this.setCarry(this.carry.subarray(Buffer.byteLength(this.text.slice(0, chars), "utf8")));
  }

  private setCarry(carry: Buffer): void {
    this.carry = carry;
    this.decoded = undefined;
  }

  /** Appends the next piece of the file; false at end of input. */
  async readMore(): Promise<boolean> {
    if (this.atEnd) return false;
    const next = await this.iterator.next();
    if (next.done === true) {
      this.atEnd = true;
      this.decoded = undefined; // a held-back partial character now decodes as U+FFFD, as at the end of a stream
      return false;
    }
    this.setCarry(this.carry.length === 0 ? next.value : Buffer.concat([this.carry, next.value]));
    if (this.first) this.dropBom();
    return true;
  }

  /** Drops a BOM at the start of the file, once enough bytes are there to tell. */
  private dropBom(): void {
    const seen = Math.min(this.carry.length, BOM.length);
    for (let i = 0; i < seen; i++) {
      if (this.carry[i] !== BOM[i]) {
        this.first = false;
        return;
      }
    }
    if (seen < BOM.length) return; // a BOM's prefix so far: wait for more
    this.first = false;
    this.setCarry(this.carry.subarray(BOM.length));
  }

  /**
   * The 0-based column where the unfinished record at the start of the carry went over the row
   * limit, or -1 while it has not (or the record may still end within it).
   */
  overLongColumn(): number {
    // A character takes at least one byte: under the limit in bytes is under it in characters.
    if (this.carry.length <= this.maxRowChars) return -1;
    const text = this.text;
    if (text.length <= this.maxRowChars) return -1;
    const column = overLongColumnOfPartialRecord(text, this.maxRowChars);
    if (column >= 0 || text.length <= this.maxRowChars * RAW_SLACK) return column;
    let separators = 0;
    for (let at = text.indexOf(","); at >= 0; at = text.indexOf(",", at + 1)) separators++;
    return separators;
  }

  /**
   * Next chunk of whole records (the remainder at end of input) as UTF-8 bytes in an ArrayBuffer
   * of its own; undefined when exhausted. A record is never cut: when the one at the start of the
   * carry has not ended within the row limit, this returns where it went over instead (the
   * caller stops reading).
   */
  async nextChunk(delimiter: RecordDelimiter): Promise<Uint8Array | { overLongColumn: number } | undefined> {
    for (;;) {
      if (this.carry.length >= this.chunkBytes || this.atEnd) {
        const cut = this.atEnd ? this.carry.length : recordBoundary(this.carry, delimiter, true);
        if (cut < 0) {
          // Unbalanced quotes keep every delimiter "inside a field" too: the same error, not a split.
          const overLongColumn = this.overLongColumn();
          if (overLongColumn >= 0) return { overLongColumn };
        }
        if (cut > 0) {
          // allocUnsafeSlow: an ArrayBuffer of exactly this chunk (never the shared pool), so it can be transferred.
          const chunk = Buffer.allocUnsafeSlow(cut);
          this.carry.copy(chunk, 0, 0, cut);
          this.setCarry(this.carry.subarray(cut));
          return chunk;
        }
        if (this.atEnd) return undefined;
      }
      await this.readMore();
    }
  }

  close(): void {
    this.stream.destroy();
  }
}
