/**
 * Turns one CSV row into a hashed record or a list of problems. Shared by the streaming reader
 * and the worker path so both produce the same records, byte for byte.
 */
import type { ColumnLayout } from "./csv-header";
import { isBlankRow } from "./csv-header";
import type { PiiIssue } from "./errors";
import { createExternalIdDeriver, validateExternalId, type ExternalIdDeriver, type ExternalIdOptions } from "./external-id";
import { isSha256Hex, looksLikeSha256Hex, sha256Hex } from "./hash";
import { normaliseFieldWith, resolveNormaliseOptions, type NormaliseOptions, type ResolvedNormaliseOptions } from "./normalise";
import type { HashedFields, HashedRow } from "./pii-fields";

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

  return {
    layout,
    process(cells, row) {
      if (isBlankRow(cells)) return BLANK;
      if (cells.length !== layout.columnCount) {
        return {
          kind: "invalid",
          issues: [{ row, code: "column-count", reason: `row has ${cells.length} columns; the header has ${layout.columnCount}` }],
        };
      }
      const hashed: HashedFields = {};
      let rejected: PiiIssue[] | undefined;
      let omitted: PiiIssue[] | undefined;
      let present = 0;
      for (const { field, index, name } of layout.fields) {
        const raw = cells[index] ?? "";
        let issue: PiiIssue | undefined;
        if (hashedInput) {
          const value = raw.trim();
          if (value === "") continue;
          if (isSha256Hex(value)) {
            hashed[field] = value;
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
            hashed[field] = sha256Hex(result.value);
            present++;
            continue;
          }
          issue = { row, column: name, field, code: result.code, reason: result.reason };
        }
        if (invalidFields === "omit-field") (omitted ??= []).push(issue);
        else (rejected ??= []).push(issue);
      }

      let externalId: string | undefined;
      if (layout.id !== undefined) {
        const check = validateExternalId(cells[layout.id.index] ?? "");
        if (check.ok) externalId = check.value;
        else (rejected ??= []).push({ row, column: layout.id.name, code: check.code, reason: check.reason });
      } else if (derive !== undefined && rejected === undefined) {
        externalId = derive(hashed.email, hashed.phone);
        if (externalId === undefined && present > 0) {
          (rejected ??= []).push({ row, code: "no-external-id-basis", reason: "row has no valid email or phone to derive the externalId from" });
        }
      }
      if (rejected === undefined && present === 0) {
        (rejected ??= []).push({ row, code: "no-pii-values", reason: "row has no usable PII values" });
      }
      if (rejected !== undefined || externalId === undefined) {
        // Under "omit-field" the omitted fields explain why nothing usable remained.
        return { kind: "invalid", issues: omitted === undefined ? (rejected ?? NONE) : [...omitted, ...(rejected ?? NONE)] };
      }
      return { kind: "record", record: { externalId, hashed, row }, omitted: omitted ?? NONE };
    },
  };
}
