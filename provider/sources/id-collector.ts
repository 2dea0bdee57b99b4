/**
 * Where a source's values go: each one is checked (NULL, not text, not a valid ID of the type),
 * canonicalised and pushed into the set builder as it arrives, so no list of all IDs is ever
 * held. Problems name the row, never the value: IDs are personal data.
 */
import { IdSetBuilder, type IdSet } from "../plan";
import { ID_CANONICAL_FORMS, ID_SYNTAX_CHECKS, type IdType, type OnInvalid } from "../spec";
import { SourceError } from "./source-error";

/** How many problems one error lists before "… and N more". */
const MAX_LISTED = 20;

/** A source's IDs as a set, and how many rows `onInvalid: skip` left out. */
export interface CollectedIds {
  set: IdSet;
  skipped: number;
}

/** Collects one source's values; see the module comment. */
export class IdCollector {
  private readonly builder = new IdSetBuilder();
  private readonly check: (id: string) => string | undefined;
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
  ) {
    this.check = ID_SYNTAX_CHECKS[idType];
    this.canonicalise = ID_CANONICAL_FORMS[idType];
  }

  /** Takes the value of 1-based result row `row`. */
  accept(value: unknown, row: number): void {
    const problem = value === null || value === undefined ? "is NULL" : typeof value !== "string" ? `is a ${typeof value}, not text` : this.check(value);
    if (problem === undefined) {
      const id = value as string;
      this.builder.add(this.canonicalise === undefined ? id : this.canonicalise(id));
      return;
    }
    if (this.onInvalid === "skip") {
      this.skippedRows++;
      return;
    }
    this.problemCount++;
    if (this.problems.length < MAX_LISTED) this.problems.push(`row ${row.toLocaleString("en-US")}: ${problem}`);
  }

  /** The set, or one error listing the bad rows. */
  finish(): CollectedIds {
    if (this.problemCount > 0) {
      const more = this.problemCount - this.problems.length;
      const lines = this.problems.map((p) => `${this.what}: ${p}`);
      if (more > 0) lines.push(`${this.what}: … and ${more.toLocaleString("en-US")} more invalid rows (onInvalid: skip leaves them out)`);
      throw new SourceError(lines.join("\n"));
    }
    return { set: this.builder.build(), skipped: this.skippedRows };
  }
}
