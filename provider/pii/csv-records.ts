/**
 * Streams a PII CSV (Amazon's template headers, raw or pre-hashed) through csv-parse and yields
 * normalised, hashed records, one per valid row, in file order.
 *
 * Records are yielded as rows are read; problems are collected (up to `maxErrors`) and thrown
 * together as a {@link PiiInputError} when the input ends or reading stops. So a consumer must
 * treat what it received as provisional until iteration completes without throwing.
 */
import * as fs from "node:fs";
import type { Readable } from "node:stream";
import { parse, type Options } from "csv-parse";
import { chooseMode, isBlankRow, parseHeader, type HeaderLayout } from "./csv-header";
import { resolveCsvOptions, rowSettingsFor, type HashedCsvOptions } from "./csv-options";
import { csvSyntaxIssue, isCsvParseError } from "./csv-syntax";
import { columnNameAt, overLongColumnOfCells, rowTooLongIssue } from "./csv-limits";
import { InputTally, type CsvReadSummary } from "./input-tally";
import type { HashedRecord } from "./pii-fields";
import { rowDigest } from "./row-digest";
import { createRowProcessor, type RowProcessor, type RowResult } from "./row-processor";

/** Thrown inside csv-parse's on_record hook to stop reading; never escapes this module. */
class StopReading extends Error {}

const BLANK: RowResult = { kind: "blank" };

/**
 * Reads `input` (a path or a readable byte/text stream) and yields one {@link HashedRecord} per
 * valid row. Returns the {@link CsvReadSummary} as the generator's return value.
 * @throws PiiInputError listing every problem found (file, row, column, reason; never values).
 */
export async function* readHashedRecords(
  input: string | Readable,
  options: HashedCsvOptions = {},
): AsyncGenerator<HashedRecord, CsvReadSummary, undefined> {
  const o = resolveCsvOptions(options, typeof input === "string" ? input : "input");
  const tally = new InputTally(o.fileName, o);
  const source = typeof input === "string" ? fs.createReadStream(input) : input;
  let rows = 0;
  let header: HeaderLayout | undefined;
  let processor: RowProcessor | undefined;

  // Rows are processed inside on_record, in parse order, so no row is lost if a later parse
  // error tears the stream down with records still buffered.
  const onRecord = (cells: string[]): HashedRecord | null => {
    rows++;
    // csv-parse's max_record_size stops most long rows while they are read; this catches the
    // ones that end right at the limit, so both reader paths draw the line at the same place.
    const overLong = overLongColumnOfCells(cells, o.maxRowChars);
    if (overLong >= 0) {
      tally.addFatal(rowTooLongIssue(rows, columnNameAt(header, overLong), o.maxRowChars));
      throw new StopReading();
    }
    if (rows === 1) {
      const parsed = parseHeader(cells, o.externalId.externalIdKey !== undefined);
      if (Array.isArray(parsed)) {
        tally.addFatal(...parsed);
      } else {
        header = parsed;
      }
    } else if (header !== undefined) {
      if (processor === undefined) {
        if (isBlankRow(cells)) {
          tally.addRow(BLANK);
          return null;
        }
        const mode = chooseMode(header, o.mode, cells);
        if (typeof mode !== "string") tally.addFatal(mode);
        else {
          tally.mode = mode;
          processor = createRowProcessor(rowSettingsFor(o, { ...header, mode }));
        }
      }
      if (processor !== undefined) {
        const result = processor.process(cells, rows);
        tally.addRow(result);
        if (!tally.stopped) return result.kind === "record" ? { ...result.record, rowDigest: rowDigest(result.record.hashed) } : null;
      }
    }
    if (tally.stopped) throw new StopReading();
    return null;
  };

  const parserOptions: Options<HashedRecord, string[]> = {
    bom: true,
    relax_column_count: true,
    max_record_size: o.maxRowChars,
    on_record: onRecord,
  };
  // csv-parse's typings tie on_record's output type to the `columns` option, which we do not use.
  const parser = parse(parserOptions as unknown as Options);
  source.on("error", (error: Error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<HashedRecord>) yield record;
  } catch (error) {
    // on_record has seen every record before the bad one.
    if (isCsvParseError(error)) tally.addFatal(csvSyntaxIssue(error, rows + 1, header, o.maxRowChars));
    else if (!(error instanceof StopReading)) throw error;
  } finally {
    if (typeof input === "string") source.destroy();
    else source.unpipe(parser);
  }
  tally.throwIfStopped();
  if (rows === 0) tally.addFatal({ code: "empty-file", reason: "file is empty (expected a header row)" });
  else if (processor === undefined && header !== undefined) {
    const mode = chooseMode(header, o.mode, undefined);
    if (typeof mode !== "string") tally.addFatal(mode);
    else tally.mode = mode;
  }
  tally.throwIfStopped();
  return tally.finish();
}
