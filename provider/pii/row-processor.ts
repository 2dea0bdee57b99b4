/**
 * Turns one CSV row into a hashed record or a list of problems. Shared by the streaming reader
 * and the worker path so both produce the same records, byte for byte.
 */
import type { ColumnLayout, FieldColumn } from "./csv-header";
import { isBlankRow } from "./csv-header";
import type { PiiIssue } from "./errors";
import { createExternalIdDeriver, validateExternalId, type ExternalIdDeriver, type ExternalIdOptions } from "./external-id";
import { isSha256Hex, looksLikeSha256Hex, sha256Hex } from "./hash";
import { normaliseFieldWith, resolveNormaliseOptions, type NormaliseOptions, type ResolvedNormaliseOptions } from "./normalise";
import { PII_FIELDS, type HashedFields, type HashedRow } from "./pii-fields";
import { formatHashes, type RecordFormat } from "./record-format";

/**
 * What to do with a field that cannot be normalised.
 * - "reject-row": the row is an error (the file fails, listing every such row).
 * - "omit-field": the field is left out of the record and counted; the row still fails when
 *   nothing usable (or nothing to derive the externalId from) remains.
 */
export type InvalidFieldPolicy = "reject-row" | "omit-field";

/** Plain data describing how rows are processed; structured-clonable so workers can receive it. */
export interface RowSettings {
  readonly layout: ColumnLayout;
  readonly normalise: NormaliseOptions;
  readonly externalId: ExternalIdOptions;
  readonly invalidFields: InvalidFieldPolicy;
}

export interface RowProcessor {
  readonly layout: ColumnLayout;
  /** `row` is the 1-based row number used in records and issues. */
  process(cells: readonly string[], row: number): RowResult;
  /**
   * {@link process} for a writer of records: a record with every field usable comes back as its
   * `format` text (what `formatRecord` makes of it), with no object built for it; any other
   * result (blank, invalid, a record with omitted fields) as {@link process} returns it.
   */
  processToText(cells: readonly string[], row: number, format: RecordFormat): string | RowResult;
}

export type RowResult =
  | { readonly kind: "blank" }
  | { readonly kind: "record"; readonly record: HashedRow; readonly omitted: readonly PiiIssue[] }
  | { readonly kind: "invalid"; readonly issues: readonly PiiIssue[] };

const BLANK: RowResult = { kind: "blank" };
const REPLACEMENT_CHARACTER = "\uFFFD";
const NONE: readonly PiiIssue[] = [];

/** Validates settings once (throws on configuration errors) and returns the per-row function. */
export function createRowProcessor(settings: RowSettings): RowProcessor {
  const { layout, invalidFields } = settings;
  const options: ResolvedNormaliseOptions = resolveNormaliseOptions(settings.normalise);
  const derive: ExternalIdDeriver | undefined = layout.id === undefined ? createExternalIdDeriver(settings.externalId) : undefined;
  const hashedInput = layout.mode === "hashed";
  const columns = layout.fields;
  /** Canonical index of each column's field, for {@link hashes}. */
  const slots = columns.map(({ field }) => PII_FIELDS.indexOf(field));
  const emailSlot = PII_FIELDS.indexOf("email");
  const phoneSlot = PII_FIELDS.indexOf("phone");

  // What `hashRow` leaves for the row it was given: reused from row to row, so a row builds no
  // objects until it becomes a record (a keyed store per field into a fresh object, and a record
  // and a result per row, cost about a tenth of a row's time in `node --cpu-prof`).
  const hashes: (string | undefined)[] = PII_FIELDS.map(() => undefined);
  let present = 0;
  let externalId: string | undefined;
  let rejected: PiiIssue[] | undefined;
  let omitted: PiiIssue[] | undefined;

  /** Hashes the fields of a row that has the header's column count, and finds its externalId. */
  function hashRow(cells: readonly string[], row: number): void {
    present = 0;
    externalId = undefined;
    rejected = undefined;
    omitted = undefined;
    for (let c = 0; c < columns.length; c++) {
      const { field, index, name } = columns[c] as FieldColumn;
      const slot = slots[c] as number;
      hashes[slot] = undefined;
      const raw = cells[index] ?? "";
      let issue: PiiIssue | undefined;
      if (hashedInput) {
        const value = raw.trim();
        if (value === "") continue;
        if (isSha256Hex(value)) {
          hashes[slot] = value;
          present++;
          continue;
        }
        issue = looksLikeSha256Hex(value)
          ? { row, column: name, field, code: "hash-uppercase", reason: "hash is uppercase hex; the API accepts lowercase hex only (lowercasing it keeps the same digest)" }
          : { row, column: name, field, code: "hash-not-sha256", reason: "value is not a SHA-256 hash (64 characters 0-9 a-f)" };
      } else if (raw.includes(REPLACEMENT_CHARACTER)) {
        // Bytes that are not UTF-8 (a Latin-1/Windows-1252 export) decode to U+FFFD; folding
        // would silently drop the letter ("Müller" → "mller") and hash something else.
        issue = { row, column: name, field, code: "invalid-utf8", reason: "value is not valid UTF-8 (save the file as UTF-8)" };
      } else {
        const result = normaliseFieldWith(field, raw, options);
        if (result === undefined) continue;
        if (result.ok) {
          hashes[slot] = sha256Hex(result.value);
          present++;
          continue;
        }
        issue = { row, column: name, field, code: result.code, reason: result.reason };
      }
      if (invalidFields === "omit-field") (omitted ??= []).push(issue);
      else (rejected ??= []).push(issue);
    }

    if (layout.id !== undefined) {
      const check = validateExternalId(cells[layout.id.index] ?? "");
      if (check.ok) externalId = check.value;
      else (rejected ??= []).push({ row, column: layout.id.name, code: check.code, reason: check.reason });
    } else if (derive !== undefined && rejected === undefined) {
      externalId = derive(hashes[emailSlot], hashes[phoneSlot]);
      if (externalId === undefined && present > 0) {
        (rejected ??= []).push({ row, code: "no-external-id-basis", reason: "row has no valid email or phone to derive the externalId from" });
      }
    }
    if (rejected === undefined && present === 0) {
      (rejected ??= []).push({ row, code: "no-pii-values", reason: "row has no usable PII values" });
    }
  }

  /** The result of the row `hashRow` was last given, as {@link RowProcessor.process} returns it. */
  function result(row: number): RowResult {
    if (rejected !== undefined || externalId === undefined) {
      // Under "omit-field" the omitted fields explain why nothing usable remained.
      return { kind: "invalid", issues: omitted === undefined ? (rejected ?? NONE) : [...omitted, ...(rejected ?? NONE)] };
    }
    const hashed: HashedFields = {};
    for (let c = 0; c < columns.length; c++) {
      const hash = hashes[slots[c] as number];
      if (hash !== undefined) hashed[(columns[c] as FieldColumn).field] = hash;
    }
    return { kind: "record", record: { externalId, hashed, row }, omitted: omitted ?? NONE };
  }

  /** A row whose cells cannot be read as fields: blank, or the wrong number of columns. */
  function unreadable(cells: readonly string[], row: number): RowResult | undefined {
    if (isBlankRow(cells)) return BLANK;
    if (cells.length === layout.columnCount) return undefined;
    return {
      kind: "invalid",
      issues: [{ row, code: "column-count", reason: `row has ${cells.length} columns; the header has ${layout.columnCount}` }],
    };
  }

  return {
    layout,
    process(cells, row) {
      const early = unreadable(cells, row);
      if (early !== undefined) return early;
      hashRow(cells, row);
      return result(row);
    },
    processToText(cells, row, format) {
      const early = unreadable(cells, row);
      if (early !== undefined) return early;
      hashRow(cells, row);
      if (rejected !== undefined || externalId === undefined || omitted !== undefined) return result(row);
      return formatHashes(externalId, hashes, format);
    },
  };
}
