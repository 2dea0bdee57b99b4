/**
 * Processes one chunk of whole CSV records into formatted output: the unit of work of the
 * worker path (and of the single-thread chunked path). Rows are numbered from 1 within the
 * chunk; the caller, which knows how many rows came before, makes them absolute.
 *
 * Each record is formatted and copied into an off-heap buffer right away, so per-row strings die
 * young; keeping a chunk's items alive until a final join made every scavenge copy them.
 */
import { visitUtf8Records, type RecordDelimiter } from "./csv-chunks";
import { csvSyntaxIssue } from "./csv-syntax";
import { columnNameAt, overLongColumnOfCells, rowTooLongIssue } from "./csv-limits";
import type { PiiIssue } from "./errors";
import type { RowCounts } from "./input-tally";
import type { PiiField } from "./pii-fields";
import { formatRecord, type RecordFormat } from "./record-format";
import { ROW_DIGEST_LENGTH, rowDigestOfCsvLine } from "./row-digest";
import type { RowProcessor } from "./row-processor";

export interface ChunkOutcome extends RowCounts {
  /**
   * Formatted records (ASCII) joined by "," (json) or "\n" (csv): one packed buffer per batch,
   * transferable between threads. Its bytes beyond `byteLength` are unused.
   */
  readonly data: Uint8Array;
  readonly byteLength: number;
  /** Length of each formatted record in `data`. */
  readonly lengths: Uint32Array;
  /** Chunk-relative row of each formatted record. */
  readonly recordRows: Uint32Array;
  /** With `rowDigests`: each record's row digest (ROW_DIGEST_LENGTH ASCII hex characters), in order. */
  readonly digests?: Uint8Array;
  /** Records parsed, blank and invalid included: the row offset for the next chunk. */
  readonly rows: number;
  /** Problems with chunk-relative rows, at most `maxIssues` (the first ones). */
  readonly issues: readonly PiiIssue[];
  /** CSV syntax error or over-long row (chunk-relative row) after which the rest of the chunk was not read. */
  readonly fatal?: PiiIssue;
}

export const RECORD_SEPARATOR: Readonly<Record<RecordFormat, string>> = { json: ",", csv: "\n" };

/** Output bytes per input character to start with (JSON items are ~7× their CSV row); grows on demand. */
const INITIAL_EXPANSION = 8;
const FLUSH_CHARS = 64 * 1024;

/**
 * `bytes`: a chunk of whole records, UTF-8, as the reader hands them out. `rowDigests` (format
 * "csv" only): also each record's row digest, made here so that with workers the digests are
 * hashed on their threads, not on the thread that reads the batches.
 */
export function processChunk(
  bytes: Uint8Array,
  delimiter: RecordDelimiter,
  processor: RowProcessor,
  format: RecordFormat,
  maxIssues: number,
  maxRowChars: number,
  rowDigests = false,
): ChunkOutcome {
  if (rowDigests && format !== "csv") throw new RangeError('row digests are made from hashed-CSV lines: format must be "csv"');
  const separator = RECORD_SEPARATOR[format];
  // allocUnsafeSlow: an ArrayBuffer of its own (never the shared pool), so it can be transferred.
  let data = Buffer.allocUnsafeSlow(Math.max(4096, bytes.length * INITIAL_EXPANSION));
  let used = 0;
  let lengths = new Uint32Array(1024);
  let recordRows = new Uint32Array(1024);
  let records = 0;
  let digests = rowDigests ? Buffer.allocUnsafeSlow(1024 * ROW_DIGEST_LENGTH) : undefined;
  const issues: PiiIssue[] = [];
  const omittedFields: Partial<Record<PiiField, number>> = {};
  // Items are gathered in a short string and copied out every FLUSH_CHARS: one Buffer.write per
  // ~100 records instead of one each, while the pending string stays small and short-lived.
  let pending = "";
  const flush = (): void => {
    if (used + pending.length > data.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(data.length * 2, used + pending.length));
      data.copy(grown, 0, 0, used);
      data = grown;
    }
    used += data.write(pending, used, "latin1");
    pending = "";
  };
  let rows = 0;
  let blankRows = 0;
  let dataRows = 0;
  // No row of a chunk can exceed the limit when the whole chunk does not (the usual case); a
  // character takes at least one byte.
  const checkLength = bytes.length > maxRowChars;
  let tooLong: PiiIssue | undefined;

  const error = visitUtf8Records(bytes, delimiter, (cells) => {
    if (tooLong !== undefined) return; // reading stopped at the long row; the rest is not counted
    rows++;
    if (checkLength) {
      const column = overLongColumnOfCells(cells, maxRowChars);
      if (column >= 0) {
        tooLong = rowTooLongIssue(rows, columnNameAt(processor.layout, column), maxRowChars);
        return;
      }
    }
    const result = processor.processToText(cells, rows, format);
    let item: string;
    if (typeof result === "string") {
      dataRows++;
      item = result;
    } else {
      if (result.kind === "blank") {
        blankRows++;
        return;
      }
      dataRows++;
      if (result.kind === "invalid") {
        for (const issue of result.issues) if (issues.length < maxIssues) issues.push(issue);
        return;
      }
      for (const issue of result.omitted) if (issue.field !== undefined) omittedFields[issue.field] = (omittedFields[issue.field] ?? 0) + 1;
      item = formatRecord(result.record, format);
    }
    pending += records === 0 ? item : separator + item;
    if (pending.length >= FLUSH_CHARS) flush();
    if (records === lengths.length) {
      const grown = new Uint32Array(lengths.length * 2);
      grown.set(lengths);
      lengths = grown;
      const grownRows = new Uint32Array(recordRows.length * 2);
      grownRows.set(recordRows);
      recordRows = grownRows;
    }
    lengths[records] = item.length;
    recordRows[records] = rows;
    if (digests !== undefined) {
      if ((records + 1) * ROW_DIGEST_LENGTH > digests.length) {
        const grown = Buffer.allocUnsafeSlow(digests.length * 2);
        digests.copy(grown);
        digests = grown;
      }
      digests.write(rowDigestOfCsvLine(item), records * ROW_DIGEST_LENGTH, "latin1");
    }
    records++;
  });
  flush();
  return {
    data,
    byteLength: used,
    lengths: lengths.slice(0, records),
    recordRows: recordRows.slice(0, records),
    ...(digests !== undefined ? { digests: new Uint8Array(digests.buffer, 0, records * ROW_DIGEST_LENGTH) } : {}),
    rows,
    dataRows,
    records,
    blankRows,
    omittedFields,
    issues,
    ...(tooLong !== undefined
      ? { fatal: tooLong }
      : error !== undefined
        ? { fatal: csvSyntaxIssue(error, rows + 1, processor.layout, maxRowChars) }
        : {}),
  };
}
