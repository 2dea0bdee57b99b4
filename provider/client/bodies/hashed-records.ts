/** POST /dp/records/hashed bodies: hashed PII records under externalIds, validated and packed. */
import { InvalidInputError } from "../input-errors";
import { EXTERNAL_ID_PATTERN } from "../../api-vocabulary";
import { DEFAULT_HASHED_RECORD_BATCH_LIMITS, hashedRecordItemLimits, type HashedRecordBatchLimits } from "./body-limits";
import { JsonArrayPacker, checkAll, packUnkeyed, type ArrayEndpoint, type JsonArrayItem } from "./json-array-packer";
import type { KeyedBatch, RequestBatch } from "./request-batch";

export const HASHED_PII_FIELDS = ["email", "phone", "firstName", "lastName", "address", "city", "state", "postalCode"] as const;
export type HashedPiiField = (typeof HASHED_PII_FIELDS)[number];

/** One set of SHA-256 hashes (64 lowercase hex chars each) describing a person. */
export type HashedPiiSet = Partial<Record<HashedPiiField, string>>;

export interface HashedRecordInput {
  /** Your id for the person, `[0-9a-zA-Z-_]{1,128}`; later usable as an `EXTERNAL_USER_ID` record. */
  externalId: string;
  /** One or more sets of hashes for this person. */
  hashedRecords: readonly HashedPiiSet[];
}

const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
const HASHED_PII_FIELD_SET: ReadonlySet<string> = new Set(HASHED_PII_FIELDS);

const HASHED_RECORDS: ArrayEndpoint<HashedRecordInput, HashedRecordBatchLimits> = {
  start: '{"records":[',
  item: hashedRecordItem,
  limits: hashedRecordItemLimits,
};

/** Validates and packs hashed records into POST /dp/records/hashed bodies. */
export function packHashedRecords(
  records: Iterable<HashedRecordInput>,
  limits: HashedRecordBatchLimits = DEFAULT_HASHED_RECORD_BATCH_LIMITS,
): Generator<RequestBatch, void, undefined> {
  return packUnkeyed(HASHED_RECORDS, records, limits);
}

/**
 * Validates every record and checks it fits a body on its own, before anything is sent.
 * @throws InvalidInputError or RecordTooLargeError naming the record.
 */
export function checkHashedRecords(records: Iterable<HashedRecordInput>, limits: HashedRecordBatchLimits = DEFAULT_HASHED_RECORD_BATCH_LIMITS): void {
  checkAll(HASHED_RECORDS, records, limits);
}

/**
 * Push-style packer of POST /dp/records/hashed bodies, for sources read asynchronously (a CSV):
 * `add` returns the previous body when the record had to start a new one; `finish` the last.
 * The same packer as {@link packHashedRecords}.
 */
export interface HashedRecordPacker<K> {
  add(record: HashedRecordInput, key: K): KeyedBatch<K> | undefined;
  finish(): KeyedBatch<K> | undefined;
}

/** See {@link HashedRecordPacker}. */
export function createHashedRecordPacker<K>(limits: HashedRecordBatchLimits = DEFAULT_HASHED_RECORD_BATCH_LIMITS): HashedRecordPacker<K> {
  const packer = new JsonArrayPacker<K>(HASHED_RECORDS.start, HASHED_RECORDS.limits(limits));
  let index = 0;
  return {
    add: (record, key) => packer.add(hashedRecordItem(record, index++), key),
    finish: () => packer.finish(),
  };
}

function hashedRecordItem(record: HashedRecordInput, index: number): JsonArrayItem {
  const json = hashedRecordJson(record, index);
  // Validated content is plain ASCII, so bytes = characters.
  return { json, bytes: json.length, recordType: "externalId", recordId: record.externalId };
}

function hashedRecordJson(record: HashedRecordInput, index: number): string {
  const where = `records[${index}]`;
  if (typeof record.externalId !== "string" || !EXTERNAL_ID_PATTERN.test(record.externalId)) {
    throw new InvalidInputError(`${where}.externalId`, `${where}.externalId must match [0-9a-zA-Z-_]{1,128}`);
  }
  if (!Array.isArray(record.hashedRecords) || record.hashedRecords.length === 0) {
    throw new InvalidInputError(`${where}.hashedRecords`, `${where} (externalId ${record.externalId}) has no hashed records`);
  }
  const sets = record.hashedRecords.map((set: HashedPiiSet, setIndex: number) => {
    const fields: string[] = [];
    for (const [field, hash] of Object.entries(set)) {
      if (hash === undefined) continue;
      const path = `${where}.hashedRecords[${setIndex}].${field}`;
      if (!HASHED_PII_FIELD_SET.has(field)) throw new InvalidInputError(path, `${path} is not a hashed-record field (expected one of ${HASHED_PII_FIELDS.join(", ")})`);
      if (typeof hash !== "string" || !SHA256_HEX_PATTERN.test(hash)) {
        throw new InvalidInputError(path, `${path} must be a SHA-256 hash: 64 lowercase hex characters`);
      }
      fields.push(`"${field}":"${hash}"`);
    }
    if (fields.length === 0) throw new InvalidInputError(`${where}.hashedRecords[${setIndex}]`, `${where}.hashedRecords[${setIndex}] has no fields`);
    return `{${fields.join(",")}}`;
  });
  return `{"externalId":"${record.externalId}","hashedRecords":[${sets.join(",")}]}`;
}
