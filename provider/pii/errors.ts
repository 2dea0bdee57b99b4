/**
 * Input problems found in a PII file. Every message names file, row and column and says what is
 * wrong, never what the value was: these messages reach logs, CI output and issue trackers.
 */
import type { ExternalIdFailureCode } from "./external-id";
import type { NormaliseFailureCode } from "./normalise";
import type { PiiField } from "./pii-fields";

export type PiiIssueCode =
  | NormaliseFailureCode
  | ExternalIdFailureCode
  | "invalid-utf8"
  | "hash-uppercase"
  | "hash-not-sha256"
  | "column-count"
  | "no-pii-values"
  | "no-external-id-basis"
  | "csv-syntax"
  | "empty-file"
  | "header-unknown-columns"
  | "header-duplicate-column"
  | "header-no-pii-columns"
  | "header-mixed-modes"
  | "header-no-id-basis"
  | "too-few-rows"
  | "too-many-rows"
  | "row-too-long"
  | "external-id-repeat";

export interface PiiIssue {
  /** 1-based row, the header being row 1; absent for whole-file problems. */
  readonly row?: number;
  /** Column name as written in the header (trimmed). */
  readonly column?: string;
  /** The PII field the problem is about, for field-level problems. */
  readonly field?: PiiField;
  readonly code: PiiIssueCode;
  /** What is wrong, e.g. "email has no @". Never the value. */
  readonly reason: string;
}

/** "row 3, column email: email has no @" */
export function formatIssue(issue: PiiIssue): string {
  const where = [issue.row !== undefined ? `row ${issue.row}` : undefined, issue.column !== undefined ? `column ${issue.column}` : undefined]
    .filter((part) => part !== undefined)
    .join(", ");
  return where === "" ? issue.reason : `${where}: ${issue.reason}`;
}

/**
 * Thrown when a PII input cannot be used as a whole. Carries every problem found (up to
 * `maxErrors`) so the user can fix them in one go.
 */
export class PiiInputError extends Error {
  override readonly name = "PiiInputError";

  constructor(
    /** File name as given by the caller. */
    readonly file: string,
    readonly issues: readonly PiiIssue[],
    /** True when reading stopped at `maxErrors`: there may be more problems further on. */
    readonly truncated: boolean,
  ) {
    super(PiiInputError.describe(file, issues, truncated));
  }

  private static describe(file: string, issues: readonly PiiIssue[], truncated: boolean): string {
    const [first] = issues;
    if (issues.length === 1 && first !== undefined && !truncated) return `${file}: ${formatIssue(first)}`;
    const head = truncated
      ? `${file}: stopped after ${issues.length} problems (maxErrors); there may be more`
      : `${file}: ${issues.length} problems`;
    return `${head} (values are not shown, to keep PII out of logs):\n${issues.map((i) => `  ${formatIssue(i)}`).join("\n")}`;
  }
}
