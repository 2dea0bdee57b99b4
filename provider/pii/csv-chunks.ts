/**
 * Splitting CSV text into chunks of whole records, and parsing such a chunk, with exactly the
 * results csv-parse gives when it streams the whole file with our options
 * (`{ bom: true, relax_column_count: true }`, default delimiter and quote).
 *
 * - Record delimiter: csv-parse locks onto the first "\r\n", "\n" or "\r" it meets; so do we, and
 *   we pass it explicitly to every chunk so no chunk re-detects differently.
 * - Boundaries: a delimiter ends a record only outside quotes. In CSV that csv-parse accepts,
 *   quotes are balanced per field ("" escapes count twice), so quote parity from a record start
 *   tells whether a delimiter is inside a field.
 * - Quote-free chunks (the common case) are parsed by plain splitting, which is what csv-parse
 *   does with them and ~10× faster. Chunks with quotes go through a strict RFC 4180 scanner that
 *   gives up at anything irregular (a quote inside an unquoted field, text after a closing
 *   quote, an unclosed quote); csv-parse then parses that chunk, so errors are csv-parse's own.
 */
import { parse as parseSync } from "csv-parse/sync";
import { isCsvParseError } from "./csv-syntax";
import type { CsvError } from "csv-parse";

export type RecordDelimiter = "\n" | "\r\n" | "\r";

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * The delimiter csv-parse would detect: at the first "\r" or "\n" outside quotes. Undefined
 * while it cannot be known yet (no line break seen, or "\r" is the last character and more
 * text may follow); `atEnd` says no more text will follow.
 */
export function detectRecordDelimiter(text: string, atEnd: boolean): RecordDelimiter | undefined {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && c === LF) return "\n";
    else if (!inQuotes && c === CR) {
      if (i + 1 < text.length) return text.charCodeAt(i + 1) === LF ? "\r\n" : "\r";
      return atEnd ? "\r" : undefined;
    }
  }
  return atEnd ? "\n" : undefined;
}

/**
 * What {@link recordBoundary} searches: a string, or the UTF-8 bytes of one (a Buffer), where
 * positions are byte offsets. Quotes and line breaks are ASCII, and UTF-8 never uses their byte
 * values inside a multi-byte character, so both give the same boundaries.
 */
export interface SearchableText {
  readonly length: number;
  indexOf(value: string, from?: number): number;
  lastIndexOf(value: string, from?: number): number;
}

/**
 * Index just past the delimiter ending the first (`last` false) or last complete record; -1 if
 * none. A delimiter ends a record when an even number of quotes precedes it; quotes are sparse,
 * so their positions are collected with indexOf rather than by scanning every character.
 */
export function recordBoundary(text: SearchableText, delimiter: RecordDelimiter, last: boolean): number {
  const quotes: number[] = [];
  for (let q = text.indexOf('"'); q >= 0; q = text.indexOf('"', q + 1)) quotes.push(q);
  if (last) {
    let before = quotes.length; // quotes before position d
    for (let d = text.lastIndexOf(delimiter); d >= 0; d = d === 0 ? -1 : text.lastIndexOf(delimiter, d - 1)) {
      while (before > 0 && (quotes[before - 1] as number) > d) before--;
      if (before % 2 === 0) return d + delimiter.length;
    }
    return -1;
  }
  let before = 0;
  for (let d = text.indexOf(delimiter); d >= 0; d = text.indexOf(delimiter, d + 1)) {
    while (before < quotes.length && (quotes[before] as number) < d) before++;
    if (before % 2 === 0) return d + delimiter.length;
  }
  return -1;
}

export interface ParsedChunk {
  readonly rows: string[][];
  /** Set when the chunk has a CSV syntax error; `rows` then holds the records before it. */
  readonly error?: CsvError;
}

/** Parses whole records into an array; see {@link visitRecords} for the streaming form. */
export function parseChunk(text: string, delimiter: RecordDelimiter): ParsedChunk {
  const rows: string[][] = [];
  const error = visitRecords(text, delimiter, (cells) => void rows.push(cells));
  return error === undefined ? { rows } : { rows, error };
}

/**
 * Calls `visit` with the cells of each record in `text`, in order, without keeping them: rows
 * become garbage as soon as they are processed, which keeps GC cheap (a chunk's worth of live
 * arrays made every scavenge copy them). Returns the CSV syntax error that stopped it, if any;
 * the records before the error have been visited.
 */
export function visitRecords(text: string, delimiter: RecordDelimiter, visit: (cells: string[]) => void): CsvError | undefined {
  return visitText(text, delimiter, visit, (rest) => ({ text: rest, visit }));
}

const HIGH_BYTE = /[\x80-\xff]/;

/**
 * {@link visitRecords} over UTF-8 bytes, with the same cells. The bytes are read as latin1 (one
 * character per byte): quotes and line breaks fall where they do in the decoded text, since UTF-8
 * never uses ASCII byte values inside a multi-byte character, and only cells holding a byte above
 * 0x7F are decoded as UTF-8. Decoding a whole chunk instead makes it a two-byte string as soon as
 * one character in it is above U+00FF (a "Ł" in a megabyte of ASCII), and every cell sliced from
 * it two-byte too; hashing a synthetic row's normalised fields cost 5.6 µs per row from such strings
 * against 3.4 µs from one-byte ones (one process, same values, 200,000 rows).
 */
export function visitUtf8Records(bytes: Uint8Array, delimiter: RecordDelimiter, visit: (cells: string[]) => void): CsvError | undefined {
  const text = latin1Of(bytes);
  if (!HIGH_BYTE.test(text)) return visitRecords(text, delimiter, visit);
  // csv-parse gets the rest as UTF-8 text, so its errors are exactly those of the decoded chunk.
  const rest = (irregular: string): { text: string; visit: (cells: string[]) => void } => ({ text: Buffer.from(irregular, "latin1").toString("utf8"), visit });
  return visitText(text, delimiter, visit, rest, new Utf8Cells(text, bufferOf(bytes)));
}

function bufferOf(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function latin1Of(bytes: Uint8Array): string {
  return bufferOf(bytes).toString("latin1");
}

/**
 * Decodes, in the cells of a record read from the latin1 view of UTF-8 bytes, the cells that hold
 * a byte above 0x7F. It knows where the next such byte is, so a record without one costs a
 * comparison; where the record was split from the text as it is (no quotes), the cells' byte
 * ranges are known and a cell is decoded straight from the bytes. Testing every cell instead
 * cost an eighth of a row's time (`node --cpu-prof`, synthetic rows).
 */
class Utf8Cells {
  readonly #text: string;
  readonly #bytes: Buffer;
  readonly #high = /[\x80-\xff]/g;
  /** Index of the next byte above 0x7F at or after where the last record ended; the text's length when none. */
  #next: number;

  constructor(text: string, bytes: Buffer) {
    this.#text = text;
    this.#bytes = bytes;
    this.#next = this.#find(0);
  }

  #find(from: number): number {
    this.#high.lastIndex = from;
    return this.#high.exec(this.#text)?.index ?? this.#text.length;
  }

  /** Cells split at every comma from `text[start, end)`. */
  splitLine(cells: string[], start: number, end: number): void {
    if (this.#next >= end) return;
    let cellStart = start;
    let i = 0;
    while (this.#next < end) {
      // Commas are ASCII, so the byte at #next lies inside a cell.
      while (cellStart + (cells[i] as string).length <= this.#next) cellStart += (cells[i++] as string).length + 1;
      const cellEnd = cellStart + (cells[i] as string).length;
      cells[i] = this.#bytes.toString("utf8", cellStart, cellEnd);
      cellStart = cellEnd + 1;
      i++;
      this.#next = this.#find(cellEnd);
    }
  }

  /** Cells of a record with quotes, which ended at `end`. */
  quotedRecord(cells: string[], end: number): void {
    if (this.#next >= end) return;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as string;
      if (HIGH_BYTE.test(cell)) cells[i] = Buffer.from(cell, "latin1").toString("utf8");
    }
    this.#next = this.#find(end);
  }
}

/**
 * Splits and scans `text` with `visit`; what the RFC 4180 scanner cannot read goes to csv-parse as
 * `rest` says. With `utf8`, `text` is the latin1 view of UTF-8 bytes and cells are decoded.
 */
function visitText(
  text: string,
  delimiter: RecordDelimiter,
  visit: (cells: string[]) => void,
  rest: (text: string) => { text: string; visit: (cells: string[]) => void },
  utf8?: Utf8Cells,
): CsvError | undefined {
  if (text.indexOf('"') < 0) {
    for (let start = 0; start < text.length; ) {
      let end = text.indexOf(delimiter, start);
      if (end < 0) end = text.length;
      const cells = text.slice(start, end).split(",");
      utf8?.splitLine(cells, start, end);
      visit(cells);
      start = end + delimiter.length;
    }
    return undefined;
  }
  const stoppedAt = visitWellFormed(text, delimiter, visit, utf8);
  if (stoppedAt < 0) return undefined;
  // Irregular quoting from the record at `stoppedAt` on: csv-parse takes over (and reports errors its way).
  const irregular = rest(text.slice(stoppedAt));
  const options = { relax_column_count: true, record_delimiter: delimiter };
  try {
    for (const cells of parseSync(irregular.text, options) as string[][]) irregular.visit(cells);
    return undefined;
  } catch (error) {
    if (!isCsvParseError(error)) throw error;
    const before = typeof error["records"] === "number" ? error["records"] : 0;
    // Re-parse up to the bad record so the rows before it are processed like the streaming path does.
    if (before > 0) for (const cells of parseSync(irregular.text, { ...options, to: before }) as string[][]) irregular.visit(cells);
    return error;
  }
}

/** Records of `text` if all of it is well-formed RFC 4180, else undefined. */
export function parseWellFormed(text: string, delimiter: RecordDelimiter): string[][] | undefined {
  const rows: string[][] = [];
  return visitWellFormed(text, delimiter, (cells) => void rows.push(cells)) < 0 ? rows : undefined;
}

/**
 * Visits RFC 4180 records until the first irregularity; returns the start of the record where it
 * stopped, or -1 when all of `text` was visited. Uses indexOf to jump through quoted fields;
 * unquoted fields are scanned per character.
 */
function visitWellFormed(text: string, delimiter: RecordDelimiter, visit: (cells: string[]) => void, utf8?: Utf8Cells): number {
  const end = text.length;
  const first = delimiter.charCodeAt(0);
  const pair = delimiter.length === 2;
  let pos = 0;
  let nextQuote = text.indexOf('"');
  while (pos < end) {
    let lineEnd = text.indexOf(delimiter, pos);
    if (lineEnd < 0) lineEnd = end;
    if (nextQuote < 0 || nextQuote >= lineEnd) {
      // No quote before the line break: an ordinary line, split like the quote-free path.
      const cells = text.slice(pos, lineEnd).split(",");
      utf8?.splitLine(cells, pos, lineEnd);
      visit(cells);
      pos = lineEnd + delimiter.length;
      continue;
    }
    const recordStart = pos;
    const row: string[] = [];
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        let value = "";
        let from = pos + 1;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) return recordStart;
          if (text.charCodeAt(quote + 1) === QUOTE) {
            value += text.slice(from, quote + 1);
            from = quote + 2;
            continue;
          }
          value += text.slice(from, quote);
          pos = quote + 1;
          break;
        }
        row.push(value);
        if (pos >= end) break;
        const next = text.charCodeAt(pos);
        if (next === COMMA) {
          pos++;
          continue;
        }
        if (next === first && (!pair || text.charCodeAt(pos + 1) === LF)) {
          pos += delimiter.length;
          break;
        }
        return recordStart;
      }
      let stop = pos;
      let c = 0;
      for (; stop < end; stop++) {
        c = text.charCodeAt(stop);
        if (c === COMMA || (c === first && (!pair || text.charCodeAt(stop + 1) === LF))) break;
        if (c === QUOTE) return recordStart;
      }
      row.push(text.slice(pos, stop));
      if (stop >= end) {
        pos = end;
        break;
      }
      if (c === COMMA) {
        pos = stop + 1;
        continue;
      }
      pos = stop + delimiter.length;
      break;
    }
    utf8?.quotedRecord(row, pos);
    visit(row);
    nextQuote = text.indexOf('"', pos);
  }
  return -1;
}
