/**
 * Running totals and problems of one input file, fed in row order by either reader path. Decides
 * when to stop (maxErrors, maxRows) and what to throw at the end, so both paths report alike.
 */
import { PiiInputError, type PiiIssue } from "./errors";
import { AMAZON_MAX_ROWS, AMAZON_MIN_ROWS } from "./csv-options";
import { PII_FIELDS, type PiiField } from "./pii-fields";
import type { RowResult } from "./row-processor";

export interface CsvReadSummary {
  readonly file: string;
  readonly mode: "raw" | "hashed";
  /** Rows holding data: header and blank lines not counted, invalid rows counted. */
  readonly dataRows: number;
  /** Valid records produced. */
  readonly records: number;
  readonly blankRows: number;
  /** Fields left out under invalidFields "omit-field", per field. */
  readonly omittedFields: Readonly<Record<PiiField, number>>;
}

export interface TallyLimits {
  readonly maxErrors: number;
  readonly minRows: number;
  readonly maxRows: number;
}

/** Counts from a batch of consecutive rows (the worker path reports these instead of row results). */
export interface RowCounts {
  readonly dataRows: number;
  readonly records: number;
  readonly blankRows: number;
  readonly omittedFields: Readonly<Partial<Record<PiiField, number>>>;
}

const formatCount = (n: number): string => n.toLocaleString("en-US");

export class InputTally {
  mode: "raw" | "hashed" = "raw";
  private dataRows = 0;
  private records = 0;
  private blankRows = 0;
  private readonly omitted: Record<PiiField, number> = Object.fromEntries(PII_FIELDS.map((f) => [f, 0])) as Record<PiiField, number>;
  private readonly issues: PiiIssue[] = [];
  private truncated = false;
  private halted = false;

  /** True once reading should stop: too many problems or rows, or a fatal problem. */
  get stopped(): boolean {
    return this.halted;
  }

  constructor(
    readonly file: string,
    private readonly limits: TallyLimits,
  ) {}

  /** Records a problem; stops at maxErrors. */
  addIssue(issue: PiiIssue): void {
    if (this.halted) return;
    this.issues.push(issue);
    if (this.issues.length >= this.limits.maxErrors) {
      this.truncated = true;
      this.halted = true;
    }
  }

  /** Problems after which the file cannot be read further (header, CSV syntax). */
  addFatal(...issues: PiiIssue[]): void {
    if (this.halted) return;
    this.issues.push(...issues);
    this.halted = true;
  }

  addRow(result: RowResult): void {
    if (this.stopped) return;
    if (result.kind === "blank") {
      this.blankRows++;
      return;
    }
    this.addCounts({ dataRows: 1, records: result.kind === "record" ? 1 : 0, blankRows: 0, omittedFields: {} });
    if (result.kind === "record") {
      for (const issue of result.omitted) if (issue.field !== undefined) this.omitted[issue.field]++;
    } else {
      for (const issue of result.issues) this.addIssue(issue);
    }
  }

  /** Adds the counts of consecutive rows; checks maxRows. */
  addCounts(counts: RowCounts): void {
    if (this.stopped) return;
    this.dataRows += counts.dataRows;
    this.records += counts.records;
    this.blankRows += counts.blankRows;
    for (const field of PII_FIELDS) this.omitted[field] += counts.omittedFields[field] ?? 0;
    if (this.dataRows > this.limits.maxRows) {
      this.addFatal({
        code: "too-many-rows",
        reason: `has more than ${formatCount(this.limits.maxRows)} data rows (maxRows); Amazon's template takes ${formatCount(AMAZON_MIN_ROWS)} to ${formatCount(AMAZON_MAX_ROWS)} per file, so split it`,
      });
    }
  }

  get problemCount(): number {
    return this.issues.length;
  }

  /** Throws the collected problems if reading stopped early. */
  throwIfStopped(): void {
    if (this.halted) throw new PiiInputError(this.file, this.issues, this.truncated);
  }

  /** End of input: applies minRows, throws if anything is wrong, else returns the summary. */
  finish(): CsvReadSummary {
    if (!this.halted && this.dataRows < this.limits.minRows) {
      this.issues.push({
        code: "too-few-rows",
        reason: `has ${formatCount(this.dataRows)} data rows; at least ${formatCount(this.limits.minRows)} are required (minRows; Amazon's template needs ${formatCount(AMAZON_MIN_ROWS)})`,
      });
    }
    if (this.issues.length > 0) throw new PiiInputError(this.file, this.issues, this.truncated);
    return {
      file: this.file,
      mode: this.mode,
      dataRows: this.dataRows,
      records: this.records,
      blankRows: this.blankRows,
      omittedFields: { ...this.omitted },
    };
  }
}
