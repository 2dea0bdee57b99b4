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

/** Index just past the delimiter ending the first (`last` false) or last complete record; -1 if none. */
export function recordBoundary(text: string, delimiter: RecordDelimiter, last: boolean): number {
  if (text.indexOf('"') < 0) {
    const at = last ? text.lastIndexOf(delimiter) : text.indexOf(delimiter);
    return at < 0 ? -1 : at + delimiter.length;
  }
  const first = delimiter.charCodeAt(0);
  const pair = delimiter.length === 2;
  let inQuotes = false;
  let found = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (!inQuotes && c === first && (!pair || text.charCodeAt(i + 1) === LF)) {
      found = i + delimiter.length;
      if (!last) return found;
      if (pair) i++;
    }
  }
  return found;
}

/** Index just past the last delimiter ignoring quotes: a way forward when quotes never balance. */
export function lastRawBoundary(text: string, delimiter: RecordDelimiter): number {
  const at = text.lastIndexOf(delimiter);
  return at < 0 ? -1 : at + delimiter.length;
}

export interface ParsedChunk {
  readonly rows: string[][];
  /** Set when the chunk has a CSV syntax error; `rows` then holds the records before it. */
  readonly error?: CsvError;
}

/** Parses whole records; see the module comment for why this equals streaming csv-parse. */
export function parseChunk(text: string, delimiter: RecordDelimiter): ParsedChunk {
  if (text.indexOf('"') < 0) {
    const lines = text.split(delimiter);
    if (lines[lines.length - 1] === "") lines.pop();
    const rows = new Array<string[]>(lines.length);
    for (let i = 0; i < lines.length; i++) rows[i] = (lines[i] as string).split(",");
    return { rows };
  }
  const strict = parseWellFormed(text, delimiter);
  if (strict !== undefined) return { rows: strict };
  const options = { relax_column_count: true, record_delimiter: delimiter };
  try {
    return { rows: parseSync(text, options) as string[][] };
  } catch (error) {
    if (!isCsvParseError(error)) throw error;
    const before = typeof error["records"] === "number" ? error["records"] : 0;
    // Re-parse up to the bad record so rows before it are processed like the streaming path does.
    const rows = before > 0 ? (parseSync(text, { ...options, to: before }) as string[][]) : [];
    return { rows, error };
  }
}

/**
 * RFC 4180 records of `text`, or undefined at the first irregularity (csv-parse decides then).
 * Uses indexOf to jump through quoted fields; unquoted fields are scanned per character.
 */
export function parseWellFormed(text: string, delimiter: RecordDelimiter): string[][] | undefined {
  const rows: string[][] = [];
  const end = text.length;
  const first = delimiter.charCodeAt(0);
  const pair = delimiter.length === 2;
  let pos = 0;
  while (pos < end) {
    const row: string[] = [];
    for (;;) {
      if (text.charCodeAt(pos) === QUOTE) {
        let value = "";
        let from = pos + 1;
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote < 0) return undefined;
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
        return undefined;
      }
      let stop = pos;
      let c = 0;
      for (; stop < end; stop++) {
        c = text.charCodeAt(stop);
        if (c === COMMA || (c === first && (!pair || text.charCodeAt(stop + 1) === LF))) break;
        if (c === QUOTE) return undefined;
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
    rows.push(row);
  }
  return rows;
}
