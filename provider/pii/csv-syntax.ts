/**
 * Maps csv-parse errors to our issues. csv-parse messages quote the offending field
 * ("value is \"jane\""), so they are never passed on: only the error code is used.
 */
import { CsvError } from "csv-parse";
import { CsvError as SyncCsvError } from "csv-parse/sync";
import type { PiiIssue } from "./errors";
import { columnNameAt, rowTooLongIssue } from "./csv-limits";
import type { HeaderLayout } from "./csv-header";

const REASONS: Readonly<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: "a quoted field is never closed",
  CSV_INVALID_CLOSING_QUOTE: "text follows the closing quote of a quoted field",
  INVALID_OPENING_QUOTE: 'a quote appears inside an unquoted field (quote the whole field and double inner quotes: "a ""b""")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "text follows the closing quote of a quoted field",
};

/** csv-parse and csv-parse/sync are separate bundles, each with its own CsvError class. */
export function isCsvParseError(error: unknown): error is CsvError {
  return error instanceof CsvError || error instanceof SyncCsvError;
}

/** Issue for a csv-parse error at `row` (the record after the last one the parser delivered). */
export function csvSyntaxIssue(error: CsvError, row: number, layout?: HeaderLayout, maxRowChars?: number): PiiIssue {
  if (error.code === "CSV_MAX_RECORD_SIZE" && maxRowChars !== undefined) {
    const column = typeof error["column"] === "number" ? columnNameAt(layout, error["column"]) : undefined;
    return rowTooLongIssue(row, column, maxRowChars);
  }
  return { row, code: "csv-syntax", reason: `CSV syntax: ${REASONS[error.code] ?? `error ${error.code}`}` };
}
