/**
 * Processes one chunk of whole CSV records into formatted output: the unit of work of the
 * worker path (and of the single-thread chunked path). Rows are numbered from 1 within the
 * chunk; the caller, which knows how many rows came before, makes them absolute.
 */
import { parseChunk, type RecordDelimiter } from "./csv-chunks";
import { csvSyntaxIssue } from "./csv-syntax";
import type { PiiIssue } from "./errors";
import type { RowCounts } from "./input-tally";
import type { PiiField } from "./pii-fields";
import { formatRecord, type RecordFormat } from "./record-format";
import type { RowProcessor } from "./row-processor";

export interface ChunkOutcome extends RowCounts {
  /** Formatted records joined by "," (json) or "\n" (csv): one packed string per batch. */
  readonly text: string;
  /** Length of each formatted record in `text`. */
  readonly lengths: Uint32Array;
  /** Records parsed, blank and invalid included: the row offset for the next chunk. */
  readonly rows: number;
  /** Problems with chunk-relative rows, at most `maxIssues` (the first ones). */
  readonly issues: readonly PiiIssue[];
  /** CSV syntax error (chunk-relative row) after which the rest of the chunk was not read. */
  readonly fatal?: PiiIssue;
}

export const RECORD_SEPARATOR: Readonly<Record<RecordFormat, string>> = { json: ",", csv: "\n" };

export function processChunk(
  text: string,
  delimiter: RecordDelimiter,
  processor: RowProcessor,
  format: RecordFormat,
  maxIssues: number,
): ChunkOutcome {
  const { rows, error } = parseChunk(text, delimiter);
  const items: string[] = [];
  const lengths = new Uint32Array(rows.length);
  const issues: PiiIssue[] = [];
  const omittedFields: Partial<Record<PiiField, number>> = {};
  let blankRows = 0;
  let dataRows = 0;
  for (let i = 0; i < rows.length; i++) {
    const result = processor.process(rows[i] as string[], i + 1);
    if (result.kind === "blank") {
      blankRows++;
      continue;
    }
    dataRows++;
    if (result.kind === "record") {
      const item = formatRecord(result.record, format);
      lengths[items.length] = item.length;
      items.push(item);
      for (const issue of result.omitted) if (issue.field !== undefined) omittedFields[issue.field] = (omittedFields[issue.field] ?? 0) + 1;
    } else {
      for (const issue of result.issues) if (issues.length < maxIssues) issues.push(issue);
    }
  }
  return {
    text: items.join(RECORD_SEPARATOR[format]),
    lengths: lengths.slice(0, items.length),
    rows: rows.length,
    dataRows,
    records: items.length,
    blankRows,
    omittedFields,
    issues,
    ...(error !== undefined ? { fatal: csvSyntaxIssue(error, 0) } : {}),
  };
}
