/**
 * The size limit of one CSV row, in one place for every reader path (streaming csv-parse,
 * chunked, worker threads). A row over the limit is an error naming its row and column: it is
 * never cut into two rows, which would shift every later row and could turn one crafted line
 * into two "valid" records.
 */
import type { ColumnLayout, HeaderLayout } from "./csv-header";
import type { PiiIssue } from "./errors";

/**
 * Most characters the fields of one row may hold together (quotes and separators not counted,
 * as csv-parse's `max_record_size` counts them). Far above any real row of Amazon's template
 * (a few hundred characters); it bounds the memory one row can take, and a quote that is never
 * closed reads as one row that reaches it.
 */
export const MAX_ROW_CHARS = 64 * 1024 * 1024;

/** "64 MiB" for the default, the exact count for smaller (test) limits. */
export function describeRowLimit(maxRowChars: number): string {
  const mib = maxRowChars / (1024 * 1024);
  return Number.isInteger(mib) ? `${mib} MiB` : `${maxRowChars.toLocaleString("en-US")} characters`;
}

/** Column name of 0-based `index` as written in the header, or its 1-based number. */
export function columnNameAt(layout: HeaderLayout | ColumnLayout | undefined, index: number): string {
  if (layout !== undefined) {
    if (layout.id?.index === index) return layout.id.name;
    const field = layout.fields.find((f) => f.index === index);
    if (field !== undefined) return field.name;
  }
  return String(index + 1);
}

/** The issue for a row whose fields exceed the limit; `column` is where the limit was crossed. */
export function rowTooLongIssue(row: number, column: string | undefined, maxRowChars: number): PiiIssue {
  return {
    row,
    ...(column !== undefined ? { column } : {}),
    code: "row-too-long",
    reason:
      `row is longer than ${describeRowLimit(maxRowChars)}, the limit for one row; reading stops here ` +
      "(a quoted field that is never closed also reads as one long row)",
  };
}

/**
 * The 0-based column in which the fields of `cells` together exceed `maxRowChars`, or -1 when
 * they do not. Pure.
 */
export function overLongColumnOfCells(cells: readonly string[], maxRowChars: number): number {
  let total = 0;
  for (let i = 0; i < cells.length; i++) {
    total += (cells[i] as string).length;
    if (total > maxRowChars) return i;
  }
  return -1;
}

/**
 * For the start of a record that has not ended yet (no record delimiter outside quotes in
 * `text`): the 0-based column in which its field characters exceed `maxRowChars`, or -1 when
 * they do not yet. Quotes and separators are not counted, `""` inside quotes counts once. Pure.
 */
export function overLongColumnOfPartialRecord(text: string, maxRowChars: number): number {
  let content = 0;
  let column = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      if (inQuotes && text.charCodeAt(i + 1) === 34) {
        content++;
        i++;
      } else inQuotes = !inQuotes;
    } else if (c === 44 /* , */ && !inQuotes) column++;
    else content++;
    if (content > maxRowChars) return column;
  }
  return -1;
}
