/**
 * Reads the header row of a PII CSV (Amazon's template: email, phone, first_name, last_name,
 * address, city, state, zip; optional id/external_id; or the same names suffixed `_sha256` for
 * pre-hashed files) and decides whether the file holds raw or hashed values.
 */
import type { PiiIssue } from "./errors";
import { looksLikeSha256Hex } from "./hash";
import { HASHED_COLUMN_SUFFIX, ID_COLUMNS, PII_FIELDS, TEMPLATE_COLUMNS, type PiiField } from "./pii-fields";

/** "auto": hashed when columns are named `*_sha256` or the first data row holds only 64-hex values. */
export type CsvMode = "auto" | "raw" | "hashed";

export interface FieldColumn {
  readonly field: PiiField;
  readonly index: number;
  /** As written in the header (trimmed), for messages. */
  readonly name: string;
}

export interface HeaderLayout {
  readonly columnCount: number;
  /** Present PII columns in canonical field order. */
  readonly fields: readonly FieldColumn[];
  readonly id?: { readonly index: number; readonly name: string };
  /** Columns are named `*_sha256`. */
  readonly hashedNames: boolean;
}

/** A header plus the decided mode: everything needed to process rows. Structured-clonable. */
export interface ColumnLayout extends HeaderLayout {
  readonly mode: "raw" | "hashed";
}

const FIELD_BY_COLUMN: ReadonlyMap<string, PiiField> = new Map(PII_FIELDS.map((f) => [TEMPLATE_COLUMNS[f], f]));
const EXPECTED = `expected ${PII_FIELDS.map((f) => TEMPLATE_COLUMNS[f]).join(", ")}, optionally id or external_id, or the same names with ${HASHED_COLUMN_SUFFIX}`;
/** Header names we are willing to echo; anything else might be a data row (PII) mistaken for a header. */
const SHOWABLE_NAME = /^[a-z][a-z0-9 _.-]{0,39}$/i;

/** Parses header cells; returns the layout or the problems (all of them, as row-1 issues). */
export function parseHeader(cells: readonly string[], hasIdKey: boolean): HeaderLayout | PiiIssue[] {
  const fields: FieldColumn[] = [];
  let id: { index: number; name: string } | undefined;
  const unknown: { index: number; name: string }[] = [];
  const issues: PiiIssue[] = [];
  let hashedCount = 0;
  const seen = new Set<string>();

  cells.forEach((cell, index) => {
    const name = cell.trim();
    const key = name.toLowerCase();
    if (seen.has(key) && key !== "") {
      issues.push({ row: 1, column: name, code: "header-duplicate-column", reason: `column ${name} appears more than once` });
      return;
    }
    seen.add(key);
    if (ID_COLUMNS.includes(key)) {
      id = { index, name };
      return;
    }
    const hashed = key.endsWith(HASHED_COLUMN_SUFFIX);
    const field = FIELD_BY_COLUMN.get(hashed ? key.slice(0, -HASHED_COLUMN_SUFFIX.length) : key);
    if (field === undefined) {
      unknown.push({ index, name });
      return;
    }
    if (hashed) hashedCount++;
    fields.push({ field, index, name });
  });

  if (unknown.length > 0) {
    // A file without a header starts with a data row: never echo it.
    const looksLikeData = unknown.length * 2 > cells.length || unknown.some((u) => !SHOWABLE_NAME.test(u.name));
    const reason = looksLikeData
      ? `row 1 does not look like the header (${unknown.length} of ${cells.length} column names unknown; names not shown in case this is data); ${EXPECTED}`
      : `unknown columns: ${unknown.map((u) => (u.name === "" ? `(empty name at position ${u.index + 1})` : u.name)).join(", ")}; ${EXPECTED}`;
    issues.push({ row: 1, code: "header-unknown-columns", reason });
  }
  if (fields.length === 0 && unknown.length === 0) {
    issues.push({ row: 1, code: "header-no-pii-columns", reason: `no PII columns; ${EXPECTED}` });
  }
  if (hashedCount > 0 && hashedCount < fields.length) {
    issues.push({ row: 1, code: "header-mixed-modes", reason: `mixes pre-hashed (${HASHED_COLUMN_SUFFIX}) and raw PII columns` });
  }
  const canDerive = fields.some((c) => c.field === "email" || c.field === "phone");
  if (id === undefined && fields.length > 0 && !(hasIdKey && canDerive)) {
    const reason = canDerive
      ? "has no id or external_id column, and no externalIdKey was given to derive externalIds"
      : "has no id or external_id column, and no email or phone column to derive externalIds from";
    issues.push({ row: 1, code: "header-no-id-basis", reason });
  }
  if (issues.length > 0) return issues;

  fields.sort((a, b) => PII_FIELDS.indexOf(a.field) - PII_FIELDS.indexOf(b.field));
  return { columnCount: cells.length, fields, ...(id !== undefined ? { id } : {}), hashedNames: hashedCount > 0 };
}

/**
 * Decides raw vs hashed. `firstDataRow` is the first non-blank data row (undefined if none yet);
 * in "auto" mode a file is hashed when its columns say so or when every non-empty PII value of
 * that row is 64 hex characters (any case, so uppercase hashes are caught and explained later).
 */
export function chooseMode(header: HeaderLayout, requested: CsvMode, firstDataRow: readonly string[] | undefined): "raw" | "hashed" | PiiIssue {
  if (header.hashedNames) {
    return requested === "raw"
      ? { row: 1, code: "header-mixed-modes", reason: `columns are named ${HASHED_COLUMN_SUFFIX} but mode is "raw"` }
      : "hashed";
  }
  if (requested !== "auto") return requested;
  if (firstDataRow === undefined) return "raw";
  let values = 0;
  for (const { index } of header.fields) {
    const value = (firstDataRow[index] ?? "").trim();
    if (value === "") continue;
    if (!looksLikeSha256Hex(value)) return "raw";
    values++;
  }
  return values > 0 ? "hashed" : "raw";
}

/** True when every cell is empty or whitespace: a blank line, skipped (but counted as a row). */
export function isBlankRow(cells: readonly string[]): boolean {
  for (const cell of cells) if (cell.trim() !== "") return false;
  return true;
}
