/** Options shared by every reader of PII CSVs (streaming, worker, hashCsvFile), with their defaults. */
import type { ColumnLayout, CsvMode } from "./csv-header";
import { createExternalIdDeriver, type ExternalIdOptions } from "./external-id";
import { resolveNormaliseOptions, type NormaliseOptions } from "./normalise";
import type { InvalidFieldPolicy, RowSettings } from "./row-processor";
import { MAX_ROW_CHARS } from "./csv-limits";

/** Amazon's rule for the CSV template / hashing-tool flow: 10,000 to 5,000,000 rows (docs/amazon-api.md#hashing-and-normalisation). */
export const AMAZON_MIN_ROWS = 10_000;
export const AMAZON_MAX_ROWS = 5_000_000;

export interface HashedCsvOptions extends NormaliseOptions, ExternalIdOptions {
  /** Name used in error messages. @default the path given, or "input" for a stream */
  readonly fileName?: string;
  /** Raw or pre-hashed values; see {@link CsvMode}. @default "auto" */
  readonly mode?: CsvMode;
  /** See {@link InvalidFieldPolicy}. @default "reject-row" */
  readonly invalidFields?: InvalidFieldPolicy;
  /** Problems collected before reading stops; all are reported together. @default 100 */
  readonly maxErrors?: number;
  /** Fewest data rows (header and blank lines not counted) a file may have. @default 10_000 */
  readonly minRows?: number;
  /** Most data rows a file may have; reading stops as soon as it is exceeded. @default 5_000_000 */
  readonly maxRows?: number;
  /**
   * Most characters one row's fields may hold; a longer row stops reading with an error naming
   * its row and column (rows are never split). Tests set it small. @default {@link MAX_ROW_CHARS} (64 MiB)
   */
  readonly maxRowChars?: number;
}

export interface ResolvedCsvOptions {
  readonly fileName: string;
  readonly mode: CsvMode;
  readonly invalidFields: InvalidFieldPolicy;
  readonly maxErrors: number;
  readonly minRows: number;
  readonly maxRows: number;
  readonly maxRowChars: number;
  readonly normalise: NormaliseOptions;
  readonly externalId: ExternalIdOptions;
}

function nonNegativeInteger(name: string, value: number, min = 0): number {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${name} must be an integer ≥ ${min}`);
  return value;
}

/** Fills defaults and validates everything that can be validated before reading (throws on misconfiguration). */
export function resolveCsvOptions(options: HashedCsvOptions, defaultFileName: string): ResolvedCsvOptions {
  const normalise: NormaliseOptions = {
    ...resolveNormaliseOptions(options),
  };
  const externalId: ExternalIdOptions = {
    ...(options.externalIdKey !== undefined ? { externalIdKey: options.externalIdKey } : {}),
    ...(options.externalIdEncoding !== undefined ? { externalIdEncoding: options.externalIdEncoding } : {}),
    ...(options.externalIdLength !== undefined ? { externalIdLength: options.externalIdLength } : {}),
  };
  if (externalId.externalIdKey !== undefined) createExternalIdDeriver(externalId); // fail fast on a bad key
  const mode = options.mode ?? "auto";
  if (mode !== "auto" && mode !== "raw" && mode !== "hashed") throw new RangeError('mode must be "auto", "raw" or "hashed"');
  const invalidFields = options.invalidFields ?? "reject-row";
  if (invalidFields !== "reject-row" && invalidFields !== "omit-field") throw new RangeError('invalidFields must be "reject-row" or "omit-field"');
  const minRows = nonNegativeInteger("minRows", options.minRows ?? AMAZON_MIN_ROWS);
  const maxRows = nonNegativeInteger("maxRows", options.maxRows ?? AMAZON_MAX_ROWS);
  if (minRows > maxRows) throw new RangeError("minRows must not exceed maxRows");
  return {
    fileName: options.fileName ?? defaultFileName,
    mode,
    invalidFields,
    maxErrors: nonNegativeInteger("maxErrors", options.maxErrors ?? 100, 1),
    minRows,
    maxRows,
    maxRowChars: nonNegativeInteger("maxRowChars", options.maxRowChars ?? MAX_ROW_CHARS, 1),
    normalise,
    externalId,
  };
}

/** The per-row part of the options, once the header has fixed the layout. */
export function rowSettingsFor(options: ResolvedCsvOptions, layout: ColumnLayout): RowSettings {
  return { layout, normalise: options.normalise, externalId: options.externalId, invalidFields: options.invalidFields };
}
