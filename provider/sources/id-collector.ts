/**
 * Where a source's values go: each one is checked (NULL, not text, not a valid ID of the type),
 * canonicalised and pushed into the set builder as it arrives, so no list of all IDs is ever
 * held. Problems name the row, never the value: IDs are personal data.
 */
import { isAscii } from "node:buffer";
import { IdSetBuilder, type BuiltSet, type IdSet, type IdSink } from "../plan";
import { ID_BYTES_CHECKS, ID_CANONICAL_FORMS, ID_SYNTAX_CHECKS, type IdBytesCheck, type IdType, type OnInvalid } from "../spec";
import { SourceError } from "./source-error";
import { NULL_LINE, type ColumnSink } from "./sql-driver";

const LF = 0x0a;
const NULL_BYTE = NULL_LINE.charCodeAt(0);

/** How many problems one error lists before "… and N more". */
const MAX_LISTED = 20;

/** A source's IDs as a set (in memory unless said otherwise), and how many rows `onInvalid: skip` left out. */
export interface CollectedIds<S extends BuiltSet = IdSet> {
  set: S;
  skipped: number;
}

/** What the IDs go into: an {@link IdSetBuilder}, or a `SpillingSetBuilder` for sets that may exceed memory. */
export type SetSink<S extends BuiltSet> = IdSink & { build(): S };

/** Collects one source's values; see the module comment. */
export class IdCollector<S extends BuiltSet = IdSet> implements ColumnSink {
  private readonly check: (id: string) => string | undefined;
  /** True when the bytes are surely a valid ID (no string made); false: the string check decides. */
  private readonly validBytes: IdBytesCheck;
  private readonly canonicalise: ((id: string) => string) | undefined;
  private readonly problems: string[] = [];
  private problemCount = 0;
  private skippedRows = 0;

  /**
   * @param what names the source in messages, e.g. `audiences.loyal.members.MAID (parquet ids.parquet, column maid)`
   */
  constructor(
    private readonly what: string,
    idType: IdType,
    private readonly onInvalid: OnInvalid,
    private readonly builder: SetSink<S> = new IdSetBuilder() as unknown as SetSink<S>,
  ) {
    this.check = ID_SYNTAX_CHECKS[idType];
    this.validBytes = ID_BYTES_CHECKS[idType] ?? (() => false);
    this.canonicalise = ID_CANONICAL_FORMS[idType];
  }

  /** Takes the value of 1-based result row `row`. */
  value(value: unknown, row: number): void {
    const problem = value === null || value === undefined ? "is NULL" : typeof value !== "string" ? `is a ${typeof value}, not text` : this.check(value);
    if (problem === undefined) {
      const id = value as string;
      this.builder.add(this.canonicalise === undefined ? id : this.canonicalise(id));
      return;
    }
    this.reject(problem, row);
  }

  /** Takes many rows at once (see {@link ColumnSink.lines}); valid IDs go in as bytes, checked as bytes where the type allows, as ID file lines do. */
  lines(bytes: Buffer, firstRow: number): void {
    const ascii = isAscii(bytes);
    let row = firstRow;
    let start = 0;
    for (;;) {
      let end = bytes.indexOf(LF, start);
      const last = end < 0;
      if (last) end = bytes.length;
      if (end - start === 1 && bytes[start] === NULL_BYTE) this.value(null, row);
      else if (this.canonicalise === undefined && this.validBytes(bytes, start, end)) this.builder.addBytes(bytes, start, end);
      else if (!ascii) this.value(bytes.toString("utf8", start, end), row);
      else {
        const id = bytes.toString("latin1", start, end);
        const problem = this.check(id);
        if (problem !== undefined) this.reject(problem, row);
        else if (this.canonicalise === undefined) this.builder.addBytes(bytes, start, end);
        else this.builder.add(this.canonicalise(id));
      }
      if (last) return;
      row++;
      start = end + 1;
    }
  }

  private reject(problem: string, row: number): void {
    if (this.onInvalid === "skip") {
      this.skippedRows++;
      return;
    }
    this.problemCount++;
    if (this.problems.length < MAX_LISTED) this.problems.push(`row ${row.toLocaleString("en-US")}: ${problem}`);
  }

  /** The set, or one error listing the bad rows. */
  finish(): CollectedIds<S> {
    if (this.problemCount > 0) {
      const more = this.problemCount - this.problems.length;
      const lines = this.problems.map((p) => `${this.what}: ${p}`);
      if (more > 0) lines.push(`${this.what}: … and ${more.toLocaleString("en-US")} more invalid rows (onInvalid: skip leaves them out)`);
      throw new SourceError(lines.join("\n"));
    }
    return { set: this.builder.build(), skipped: this.skippedRows };
  }
}
