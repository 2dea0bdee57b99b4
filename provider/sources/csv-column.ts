/**
 * The values of one column of a CSV file with a header row, streamed (csv-parse) into a callback:
 * the file is never held whole. The column is found by its header name.
 */
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import { SourceError } from "./source-error";

/** Calls `onValue` for each data row's cell in `column` (rows count from 1 after the header). */
export async function streamCsvColumn(input: Readable, column: string, delimiter: string, onValue: (value: unknown, row: number) => void): Promise<void> {
  const parser = input.pipe(parse({ delimiter, bom: true, relax_column_count: true, skip_empty_lines: true }));
  let index = -1;
  let row = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (index < 0) {
        index = record.indexOf(column);
        if (index < 0) throw new SourceError(`has no column ${column}; the header has: ${record.join(", ")}`);
        continue;
      }
      row++;
      // A short row has no cell there: that is a missing value, like NULL.
      onValue(index < record.length ? record[index] : null, row);
    }
  } catch (error) {
    if (error instanceof SourceError) throw error;
    // csv-parse's messages quote the offending field; only its code and line are kept.
    const code = error instanceof Error && "code" in error ? String(error.code) : "a syntax error";
    const line = error instanceof Error && "lines" in error ? ` at line ${String(error.lines)}` : "";
    throw new SourceError(`is not valid CSV${line} (${code})`, { cause: undefined });
  }
  if (index < 0) throw new SourceError("is empty; it needs a header row");
}
