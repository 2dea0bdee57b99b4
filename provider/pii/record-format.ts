/**
 * Serialises hashed records as the hashed-records API item and as a hashed-CSV line. Values are
 * validated ASCII (hex hashes, externalId pattern), so plain concatenation is valid JSON/CSV and
 * string length equals byte length.
 */
import { HASHED_COLUMN_SUFFIX, PII_FIELDS, TEMPLATE_COLUMNS, type HashedRow } from "./pii-fields";

/** A record's field hashes by canonical field index ({@link PII_FIELDS}), undefined where absent: what the row processor fills. */
export type FieldHashes = readonly (string | undefined)[];

/** `{"externalId":"…","hashedRecords":[{"email":"…",…}]}`, fields in canonical order, absent ones left out. */
export function hashedRecordJson(record: HashedRow): string {
  return hashedJsonOfHashes(record.externalId, fieldHashesOf(record));
}

/** A record's {@link FieldHashes}. */
const fieldHashesOf = (record: HashedRow): FieldHashes => PII_FIELDS.map((field) => record.hashed[field]);

/** `"email":"` and so on: what comes before each field's hash in {@link hashedRecordJson}. */
const JSON_FIELD_OPENERS: readonly string[] = PII_FIELDS.map((field) => `"${field}":"`);

/** {@link hashedRecordJson} of a record given as its externalId and {@link FieldHashes} (no object per record). */
export function hashedJsonOfHashes(externalId: string, hashes: FieldHashes): string {
  let fields = "";
  for (let f = 0; f < JSON_FIELD_OPENERS.length; f++) {
    const hash = hashes[f];
    if (hash !== undefined) fields += `${fields === "" ? "" : ","}${JSON_FIELD_OPENERS[f]}${hash}"`;
  }
  return `{"externalId":"${externalId}","hashedRecords":[{${fields}}]}`;
}

/**
 * The API item of a hashed-CSV line ({@link hashedRecordCsvLine}'s output): the same text as
 * {@link hashedRecordJson} of the record the line holds, read straight from the line, so a reader
 * of hashed-CSV lines (the upload) need not rebuild the record. The line's values were checked
 * when the record was made; this only moves them.
 */
export function hashedRecordJsonOfCsvLine(line: string): string {
  let end = line.indexOf(",");
  let json = `{"externalId":"${line.slice(0, end)}","hashedRecords":[{`;
  let separator = "";
  for (let f = 0; f < JSON_FIELD_OPENERS.length; f++) {
    const start = end + 1;
    end = line.indexOf(",", start);
    if (end < 0) end = line.length;
    if (end === start) continue;
    json += `${separator}${JSON_FIELD_OPENERS[f]}${line.slice(start, end)}"`;
    separator = ",";
  }
  return `${json}}]}`;
}

/** Header of hashed CSVs written by hashCsvFile; readable back in hashed mode. */
export const HASHED_CSV_HEADER = ["external_id", ...PII_FIELDS.map((f) => `${TEMPLATE_COLUMNS[f]}${HASHED_COLUMN_SUFFIX}`)].join(",");

/** One line under {@link HASHED_CSV_HEADER}, no line terminator. */
export function hashedRecordCsvLine(record: HashedRow): string {
  return hashedCsvLineOfHashes(record.externalId, fieldHashesOf(record));
}

/** {@link hashedRecordCsvLine} of a record given as its externalId and {@link FieldHashes}. */
export function hashedCsvLineOfHashes(externalId: string, hashes: FieldHashes): string {
  let line = externalId;
  for (let f = 0; f < PII_FIELDS.length; f++) line += `,${hashes[f] ?? ""}`;
  return line;
}

export type RecordFormat = "json" | "csv";

export const formatRecord = (record: HashedRow, format: RecordFormat): string =>
  format === "json" ? hashedRecordJson(record) : hashedRecordCsvLine(record);

/** {@link formatRecord} of a record given as its externalId and {@link FieldHashes} (the row processor's fast path). */
export const formatHashes = (externalId: string, hashes: FieldHashes, format: RecordFormat): string =>
  format === "json" ? hashedJsonOfHashes(externalId, hashes) : hashedCsvLineOfHashes(externalId, hashes);
