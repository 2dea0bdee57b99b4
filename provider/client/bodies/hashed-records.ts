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
 * A hashed record already rendered as its JSON item, `{"externalId":"…","hashedRecords":[…]}`,
 * by a producer that checked every value (the PII layer renders and checks the records it reads
 * from a CSV): ASCII only, so its length is its size in bytes.
 */
export interface RenderedHashedRecord {
  /** The record's externalId, which names it in a {@link RecordTooLargeError}. */
  externalId: string;
  /** The item exactly as {@link packHashedRecords} would render the record. */
  json: string;
}

/**
 * Push-style packer of POST /dp/records/hashed bodies, for sources read asynchronously (a CSV):
 * `add` returns the previous body when the record had to start a new one; `finish` the last.
 * The same packer as {@link packHashedRecords}.
 */
export interface HashedRecordPacker<K> {
  /** Checks and renders a record; @throws InvalidInputError or RecordTooLargeError naming it. */
  add(record: HashedRecordInput, key: K): KeyedBatch<K> | undefined;
  /**
   * Adds a record rendered and checked beforehand (see {@link RenderedHashedRecord}): the same
   * bodies as `add` of the record, without rendering or checking its values again.
   * @throws RecordTooLargeError when it cannot fit a body on its own
   */
  addRendered(record: RenderedHashedRecord, key: K): KeyedBatch<K> | undefined;
  finish(): KeyedBatch<K> | undefined;
}

/** See {@link HashedRecordPacker}. */
export function createHashedRecordPacker<K>(limits: HashedRecordBatchLimits = DEFAULT_HASHED_RECORD_BATCH_LIMITS): HashedRecordPacker<K> {
  const packer = new JsonArrayPacker<K>(HASHED_RECORDS.start, HASHED_RECORDS.limits(limits));
  let index = 0;
  return {
    add: (record, key) => packer.add(hashedRecordItem(record, index++), key),
    addRendered: (record, key) => {
      index++;
      return packer.add({ json: record.json, bytes: record.json.length, recordType: "externalId", recordId: record.externalId }, key);
    },
    finish: () => packer.finish(),
  };
}

function hashedRecordItem(record: HashedRecordInput, index: number): JsonArrayItem {
  const json = hashedRecordJson(record, index);
  // Validated content is plain ASCII, so bytes = characters.
  return { json, bytes: json.length, recordType: "externalId", recordId: record.externalId };
}

// Paths and messages are built only when a check fails: a valid record costs none of them.
const recordPath = (index: number): string => `records[${index}]`;
const setPath = (index: number, setIndex: number): string => `${recordPath(index)}.hashedRecords[${setIndex}]`;

function hashedRecordJson(record: HashedRecordInput, index: number): string {
  const { externalId, hashedRecords } = record;
  if (typeof externalId !== "string" || !EXTERNAL_ID_PATTERN.test(externalId)) {
    const path = `${recordPath(index)}.externalId`;
    throw new InvalidInputError(path, `${path} must match [0-9a-zA-Z-_]{1,128}`);
  }
  if (!Array.isArray(hashedRecords) || hashedRecords.length === 0) {
    throw new InvalidInputError(`${recordPath(index)}.hashedRecords`, `${recordPath(index)} (externalId ${externalId}) has no hashed records`);
  }
  let sets = "";
  for (let setIndex = 0; setIndex < hashedRecords.length; setIndex++) {
    const set: HashedPiiSet = hashedRecords[setIndex] as HashedPiiSet;
    let fields = "";
    for (const [field, hash] of Object.entries(set)) {
      if (hash === undefined) continue;
      if (!HASHED_PII_FIELD_SET.has(field)) {
        const path = `${setPath(index, setIndex)}.${field}`;
        throw new InvalidInputError(path, `${path} is not a hashed-record field (expected one of ${HASHED_PII_FIELDS.join(", ")})`);
      }
      if (!isSha256Hex(hash)) {
        const path = `${setPath(index, setIndex)}.${field}`;
        throw new InvalidInputError(path, `${path} must be a SHA-256 hash: 64 lowercase hex characters`);
      }
      fields += `${fields === "" ? "" : ","}"${field}":"${hash}"`;
    }
    if (fields === "") throw new InvalidInputError(setPath(index, setIndex), `${setPath(index, setIndex)} has no fields`);
    sets += `${setIndex === 0 ? "" : ","}{${fields}}`;
  }
  return `{"externalId":"${externalId}","hashedRecords":[${sets}]}`;
}

/** 1 at the char codes of 0-9 and a-f, below 128. */
const LOWER_HEX_DIGIT = new Uint8Array(128);
for (const digit of "0123456789abcdef") LOWER_HEX_DIGIT[digit.charCodeAt(0)] = 1;

/**
 * True for exactly 64 lowercase hex characters (`^[0-9a-f]{64}$`). A table lookup per character:
 * on Node 24 about 0.2 µs a hash against 0.6 µs for the regular expression or for a loop of
 * range comparisons (whose branches mispredict on random hex); a record carries up to eight.
 */
function isSha256Hex(value: unknown): boolean {
  if (typeof value !== "string" || value.length !== 64) return false;
  for (let i = 0; i < 64; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || LOWER_HEX_DIGIT[c] === 0) return false;
  }
  return true;
}
