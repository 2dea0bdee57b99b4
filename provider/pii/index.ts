/** First-party PII pipeline: normalise, hash, derive externalIds, read CSVs, write hashed CSVs (request bodies are the client's). */
export { COUNTRY_CODES, type CountryCode } from "./countries";
export {
  normaliseAddress,
  normaliseCity,
  normaliseEmail,
  normaliseField,
  normaliseFirstName,
  normaliseLastName,
  normalisePhone,
  normalisePostalCode,
  normaliseState,
  resolveNormaliseOptions,
  type NonAsciiLetters,
  type NormaliseFailure,
  type NormaliseFailureCode,
  type NormaliseOptions,
  type NormaliseResult,
} from "./normalise";
export { isSha256Hex, sha256Hex } from "./hash";
export {
  createExternalIdDeriver,
  deriveExternalId,
  EXTERNAL_ID_PATTERN,
  validateExternalId,
  type ExternalIdCheck,
  type ExternalIdEncoding,
  type ExternalIdOptions,
} from "./external-id";
export { HASHED_COLUMN_SUFFIX, PII_FIELDS, TEMPLATE_COLUMNS, type HashedFields, type HashedRecord, type HashedRow, type PiiField } from "./pii-fields";
export { rowDigest, rowDigestOfCsvLine, ROW_DIGEST_LENGTH } from "./row-digest";
export { formatIssue, PiiInputError, type PiiIssue, type PiiIssueCode } from "./errors";
export { AMAZON_MAX_ROWS, AMAZON_MIN_ROWS, type HashedCsvOptions } from "./csv-options";
export type { CsvMode } from "./csv-header";
export type { InvalidFieldPolicy } from "./row-processor";
export type { CsvReadSummary } from "./input-tally";
export { readHashedRecords } from "./csv-records";
export { hashedRecordCsvLine, hashedRecordJson, hashedRecordJsonOfCsvLine, HASHED_CSV_HEADER } from "./record-format";
export { AUTO_WORKERS_MIN_BYTES, autoWorkerCount, hashCsvBatches, type BatchOptions, type HashedBatch } from "./parallel";
export { hashCsvFile, type HashCsvFileOptions, type HashCsvFileResult, type HashedCsvChunk, type HashedCsvSource } from "./hash-csv";
