/**
 * Packs records into request bodies that respect the API's limits. Pure and
 * hot: bodies are built from templates (no patch objects, no `JSON.stringify`
 * of whole bodies), byte sizes are tracked as we go, so a limit is never
 * exceeded, and each patch body is written once into an exactly-sized Buffer
 * (no string concatenation, no join, no later UTF-8 encoding by the transport).
 *
 * Limits (shared/reference/dp-api.md): PATCH /v2/dp/audience ≤ 1 MB and ≤ 2000
 * patches; POST /dp/records/hashed ≤ 5 MB; PATCH /v2/dp/users ≤ 1000 users and
 * ≤ 1 MB. "MB" is taken as 10^6 bytes, the conservative reading.
 */
import { InvalidInputError, RecordTooLargeError, previewRecordId } from "./input-errors";
import { toInt64String } from "./int64";
import { API_LIMITS, EXTERNAL_ID_PATTERN, ID_TYPES, ID_TYPES_IN_WORDS, type IdType } from "../api-vocabulary";

export type RecordIdType = IdType;
export type MembershipOpKind = "add" | "remove";

const RECORD_ID_TYPES: ReadonlySet<string> = new Set<RecordIdType>(ID_TYPES);
const MEMBERSHIP_OP_KINDS: ReadonlySet<string> = new Set<MembershipOpKind>(["add", "remove"]);

/**
 * Row form: one record joins (`add`) or leaves (`remove`) one or more
 * audiences. Rows for the same record and op are merged into one patch.
 */
export interface MembershipOp {
  op: MembershipOpKind;
  type: RecordIdType;
  /** The record id without its type prefix, e.g. a cookie id. */
  value: string;
  /** Audience ids (int64 decimal strings). */
  audienceIds: readonly string[];
}

/**
 * Columnar form, for millions of records: every value in `values` gets the
 * same op on the same audiences. This is the fast path: the per-audience part
 * of each patch is built once per column. Columns are not merged with each
 * other, so a record should appear in at most one column per op (the planner's
 * natural output: one column per audience set and op).
 */
export interface MembershipOpColumn {
  op: MembershipOpKind;
  type: RecordIdType;
  values: readonly string[];
  audienceIds: readonly string[];
  /**
   * Consent sent with every patch of this column (`{consentType: "TCF"|"GPP"|"Amazon", …}`, see
   * the API's Consent object). @default none: no `consent` field
   */
  consent?: Readonly<Record<string, unknown>>;
}

/** A ready-to-send request body with its counts. */
export interface RequestBatch {
  /** UTF-8 JSON, sent as is. */
  body: Buffer;
  /** Size of `body` in bytes. */
  bytes: number;
  /** Record-level operations in the body (memberships, records or users). */
  ops: number;
}

/** A PATCH /v2/dp/audience body. */
export interface PatchBatch extends RequestBatch {
  /** Patches in the body (one per record and op). */
  patches: number;
}

export interface PatchBatchLimits {
  /**
   * Max body size, in bytes.
   * @default 1000000
   */
  maxBodyBytes: number;
  /**
   * Max patches per body.
   * @default 2000
   */
  maxPatches: number;
}

export const DEFAULT_PATCH_BATCH_LIMITS: Readonly<PatchBatchLimits> = Object.freeze({ maxBodyBytes: API_LIMITS.membershipBodyBytes, maxPatches: API_LIMITS.membershipPatches });

const PATCH_BODY_START = '{"patches":[';
const BODY_END = "]}";
const PATCH_WRAPPER_BYTES = PATCH_BODY_START.length + BODY_END.length;

// Printable ASCII except `"` and `\`: such a value goes into JSON verbatim and
// its byte length equals its string length. Anything else takes the slow path.
const NEEDS_ESCAPING_OR_MULTIBYTE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

/** Packs columns into PATCH /v2/dp/audience bodies. Lazy: bodies are built as they are consumed. */
export function* packMembershipColumns(
  columns: Iterable<MembershipOpColumn>,
  limits: PatchBatchLimits = DEFAULT_PATCH_BATCH_LIMITS,
): Generator<PatchBatch, void, undefined> {
  checkPatchLimits(limits);
  const builder = new PatchBodyBuilder(limits);
  const templates = new PatchTemplateCache();
  for (const column of columns) {
    checkOpAndType(column.op, column.type, "column");
    const values = column.values;
    if (values.length === 0) continue;
    const template = templates.get(column.op, column.type, column.audienceIds, "column.audienceIds", column.consent);
    const fixedBytes = template.prefix.length + template.suffix.length;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value !== "string" || value.length === 0) {
        throw new InvalidInputError(`column.values[${i}]`, `${column.type} record value at index ${i} is empty or not a string`);
      }
      let full: PatchBatch | undefined;
      if (NEEDS_ESCAPING_OR_MULTIBYTE.test(value)) {
        checkWellFormed(value, column.type, `column.values[${i}]`);
        full = builder.add(template, escapeJsonStringContent(value), false, column.type, value);
      } else {
        full = builder.add(template, value, true, column.type, value, fixedBytes + value.length);
      }
      if (full !== undefined) yield full;
    }
  }
  const last = builder.finish();
  if (last !== undefined) yield last;
}

/**
 * Packs rows into PATCH /v2/dp/audience bodies, first merging rows of the same
 * record and op into one patch whose `value` lists all their audiences
 * (deduplicated, in first-seen order). Output order follows first appearance.
 */
export function packMembershipOps(
  ops: Iterable<MembershipOp>,
  limits: PatchBatchLimits = DEFAULT_PATCH_BATCH_LIMITS,
): Generator<PatchBatch, void, undefined> {
  return packMembershipColumns(membershipOpsToColumns(ops), limits);
}

/** Merges rows (see `mergeMembershipOps`) and turns each merged record into a one-value column. */
export function membershipOpsToColumns(ops: Iterable<MembershipOp>): MembershipOpColumn[] {
  return mergeMembershipOps(ops).map((record) => ({ op: record.op, type: record.type, values: [record.value], audienceIds: record.audienceIds }));
}

/**
 * Checks every column before anything is sent: op and type, audience ids,
 * non-empty values, and that each record fits a body on its own. Cheap: exact
 * byte counts are only computed for values long enough to possibly not fit.
 * @throws InvalidInputError or RecordTooLargeError naming the record.
 */
export function checkMembershipColumns(columns: readonly MembershipOpColumn[], limits: PatchBatchLimits = DEFAULT_PATCH_BATCH_LIMITS): void {
  checkPatchLimits(limits);
  const templates = new PatchTemplateCache();
  for (const column of columns) {
    checkOpAndType(column.op, column.type, "column");
    const values = column.values;
    if (values.length === 0) continue;
    const template = templates.get(column.op, column.type, column.audienceIds, "column.audienceIds", column.consent);
    const fixedBytes = PATCH_WRAPPER_BYTES + template.prefix.length + template.suffix.length;
    // One UTF-16 unit never takes more than 6 bytes in JSON (`\uXXXX`).
    const safeLength = Math.floor((limits.maxBodyBytes - fixedBytes) / 6);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value !== "string" || value.length === 0) {
        throw new InvalidInputError(`column.values[${i}]`, `${column.type} record value at index ${i} is empty or not a string`);
      }
      if (NEEDS_ESCAPING_OR_MULTIBYTE.test(value)) checkWellFormed(value, column.type, `column.values[${i}]`);
      if (value.length > safeLength) {
        const bytes = fixedBytes + Buffer.byteLength(escapeJsonStringContent(value), "utf8");
        if (bytes > limits.maxBodyBytes) throw new RecordTooLargeError(column.type, value, bytes, limits.maxBodyBytes);
      }
    }
  }
}

/** Merges rows by (op, type, value), uniting their audience ids. */
export function mergeMembershipOps(ops: Iterable<MembershipOp>): MembershipOp[] {
  const byRecord = new Map<string, { op: MembershipOpKind; type: RecordIdType; value: string; audienceIds: string[] }>();
  let index = 0;
  for (const op of ops) {
    checkOpAndType(op.op, op.type, `ops[${index}]`);
    if (typeof op.value !== "string" || op.value.length === 0) {
      throw new InvalidInputError(`ops[${index}].value`, `${op.type} record value at index ${index} is empty or not a string`);
    }
    if (op.audienceIds.length === 0) {
      throw new InvalidInputError(`ops[${index}].audienceIds`, `ops[${index}] (${op.type}) lists no audience ids`);
    }
    const key = `${op.op}\u0000${op.type}\u0000${op.value}`;
    const existing = byRecord.get(key);
    if (existing === undefined) {
      byRecord.set(key, { op: op.op, type: op.type, value: op.value, audienceIds: [...new Set(op.audienceIds)] });
    } else {
      for (const id of op.audienceIds) if (!existing.audienceIds.includes(id)) existing.audienceIds.push(id);
    }
    index++;
  }
  return [...byRecord.values()];
}

const COMMA = 0x2c;

/**
 * The fixed parts of every patch of one (op, type, audience list), as bytes:
 * `{"op":"add","path":"/COOKIE-` + value + `/audiences","value":[1,2]}`, and
 * the `joint` between two such patches (suffix, comma, prefix) so that a run
 * of patches from one column costs one copy and one write each.
 */
interface PatchTemplate {
  prefix: Buffer;
  suffix: Buffer;
  joint: Buffer;
  /** Distinct audience ids: membership operations per patch. */
  audienceCount: number;
}

/** Builds each template once (audience ids validated once per distinct list). */
class PatchTemplateCache {
  readonly #byKey = new Map<string, PatchTemplate>();

  get(op: MembershipOpKind, type: RecordIdType, audienceIds: readonly string[], field: string, consent?: Readonly<Record<string, unknown>>): PatchTemplate {
    const consentJson = consent === undefined ? "" : `,"consent":${JSON.stringify(consent)}`;
    const key = `${op}/${type}/${audienceIds.join(",")}${consentJson}`;
    let template = this.#byKey.get(key);
    if (template === undefined) {
      if (audienceIds.length === 0) throw new InvalidInputError(field, `${field} is empty: a patch needs at least one audience id`);
      const canonical = [...new Set(audienceIds.map((id, i) => toInt64String(id, `${field}[${i}]`)))];
      const prefix = Buffer.from(`{"op":"${op}","path":"/${type}-`, "latin1");
      const suffix = Buffer.from(`/audiences","value":[${canonical.join(",")}]${consentJson}}`, "utf8");
      template = { prefix, suffix, joint: Buffer.concat([suffix, Buffer.from(","), prefix]), audienceCount: canonical.length };
      this.#byKey.set(key, template);
    }
    return template;
  }
}

/**
 * Accumulates patches by reference (template and value) and, when the next
 * one would not fit, writes the full body into one exactly-sized Buffer.
 */
class PatchBodyBuilder {
  readonly #maxBodyBytes: number;
  readonly #maxPatches: number;
  readonly #templates: PatchTemplate[] = [];
  readonly #values: string[] = [];
  /** True when the value is printable ASCII (written as latin1, 1 byte per char). */
  readonly #plain: boolean[] = [];
  #count = 0;
  #bytes = PATCH_WRAPPER_BYTES;
  #ops = 0;

  constructor(limits: PatchBatchLimits) {
    this.#maxBodyBytes = limits.maxBodyBytes;
    this.#maxPatches = limits.maxPatches;
  }

  /**
   * Adds the patch `template.prefix + value + template.suffix` (`value`
   * already JSON-escaped); returns the previous body when this patch had to
   * start a new one.
   */
  add(
    template: PatchTemplate,
    value: string,
    plain: boolean,
    recordType: string,
    recordValue: string,
    patchBytes = template.prefix.length + template.suffix.length + (plain ? value.length : Buffer.byteLength(value, "utf8")),
  ): PatchBatch | undefined {
    if (PATCH_WRAPPER_BYTES + patchBytes > this.#maxBodyBytes) {
      throw new RecordTooLargeError(recordType, recordValue, PATCH_WRAPPER_BYTES + patchBytes, this.#maxBodyBytes);
    }
    let full: PatchBatch | undefined;
    if (this.#count === this.#maxPatches || this.#bytes + patchBytes + (this.#count > 0 ? 1 : 0) > this.#maxBodyBytes) {
      full = this.#take();
    }
    const index = this.#count++;
    this.#bytes += patchBytes + (index > 0 ? 1 : 0);
    this.#templates[index] = template;
    this.#values[index] = value;
    this.#plain[index] = plain;
    this.#ops += template.audienceCount;
    return full;
  }

  finish(): PatchBatch | undefined {
    if (this.#count === 0) return undefined;
    const last = this.#take();
    // Drop the references so the caller's strings can be collected.
    this.#templates.length = this.#values.length = this.#plain.length = 0;
    return last;
  }

  #take(): PatchBatch {
    const body = Buffer.allocUnsafe(this.#bytes);
    let offset = body.write(PATCH_BODY_START, 0, "latin1");
    let previous: PatchTemplate | undefined;
    for (let i = 0; i < this.#count; i++) {
      const template = this.#templates[i] as PatchTemplate;
      if (previous === undefined) {
        offset += template.prefix.copy(body, offset);
      } else if (template === previous) {
        offset += template.joint.copy(body, offset);
      } else {
        offset += previous.suffix.copy(body, offset);
        body[offset++] = COMMA;
        offset += template.prefix.copy(body, offset);
      }
      offset += body.write(this.#values[i] as string, offset, this.#plain[i] === true ? "latin1" : "utf8");
      previous = template;
    }
    if (previous !== undefined) offset += previous.suffix.copy(body, offset);
    offset += body.write(BODY_END, offset, "latin1");
    // allocUnsafe memory must be fully overwritten; a size mismatch would also mean a wrong limit check.
    if (offset !== this.#bytes) throw new Error(`internal error: patch body is ${offset} bytes, expected ${this.#bytes}`);
    const batch: PatchBatch = { body, bytes: this.#bytes, patches: this.#count, ops: this.#ops };
    this.#count = 0;
    this.#bytes = PATCH_WRAPPER_BYTES;
    this.#ops = 0;
    return batch;
  }
}

// A lone UTF-16 surrogate cannot be stored as UTF-8 (it would become U+FFFD and
// collide with other ids); one such value would fail its whole 2,000-patch request.
const LONE_SURROGATE = /\p{Cs}/u;

function checkWellFormed(value: string, recordType: string, field: string): void {
  if (LONE_SURROGATE.test(value)) {
    throw new InvalidInputError(field, `${recordType} record ${previewRecordId(value)} contains a lone UTF-16 surrogate (not valid Unicode)`);
  }
}

/** JSON string content (without quotes) for `value`; identity for plain printable ASCII. */
export function escapeJsonStringContent(value: string): string {
  if (!NEEDS_ESCAPING_OR_MULTIBYTE.test(value)) return value;
  // JSON.stringify escapes quotes, backslashes, control characters and lone surrogates.
  const quoted = JSON.stringify(value);
  return quoted.slice(1, -1);
}

function checkOpAndType(op: string, type: string, where: string): void {
  if (!MEMBERSHIP_OP_KINDS.has(op)) throw new InvalidInputError(`${where}.op`, `${where}.op must be "add" or "remove" (got ${JSON.stringify(op)})`);
  if (!RECORD_ID_TYPES.has(type)) {
    throw new InvalidInputError(`${where}.type`, `${where}.type must be ${ID_TYPES_IN_WORDS} (got ${JSON.stringify(type)})`);
  }
}

function checkPatchLimits(limits: PatchBatchLimits): void {
  checkPositiveInteger(limits.maxBodyBytes, "maxBodyBytes");
  checkPositiveInteger(limits.maxPatches, "maxPatches");
}

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer (got ${value})`);
}

// ---------------------------------------------------------------------------
// Hashed records: POST /dp/records/hashed

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

export interface HashedRecordBatchLimits {
  /**
   * Max body size, in bytes.
   * @default 5000000
   */
  maxBodyBytes: number;
  /**
   * Max records per body (the API documents none).
   * @default Infinity
   */
  maxRecords: number;
}

export const DEFAULT_HASHED_RECORD_BATCH_LIMITS: Readonly<HashedRecordBatchLimits> = Object.freeze({
  maxBodyBytes: API_LIMITS.hashedRecordsBodyBytes,
  maxRecords: Number.POSITIVE_INFINITY,
});

const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/;
const HASHED_PII_FIELD_SET: ReadonlySet<string> = new Set(HASHED_PII_FIELDS);

const HASHED_BODY_START = '{"records":[';

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

const HASHED_RECORDS: ArrayEndpoint<HashedRecordInput, HashedRecordBatchLimits> = {
  start: HASHED_BODY_START,
  item: hashedRecordItem,
  limits(limits) {
    checkPositiveInteger(limits.maxBodyBytes, "maxBodyBytes");
    if (!(limits.maxRecords >= 1)) throw new RangeError(`maxRecords must be ≥ 1 (got ${limits.maxRecords})`);
    return { maxBodyBytes: limits.maxBodyBytes, maxItems: limits.maxRecords };
  },
};

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

// ---------------------------------------------------------------------------
// User deletion: PATCH /v2/dp/users

export interface UserDeletionInput {
  type: RecordIdType;
  value: string;
  /** Limit the deletion to this advertiser's data (int64 decimal string); omit to delete everything this client holds. */
  advertiserId?: string;
  /** When the user's consent was withdrawn, in epoch ms. */
  consentTime?: number;
}

export interface UserDeletionBatchLimits {
  /**
   * Max body size, in bytes.
   * @default 1000000
   */
  maxBodyBytes: number;
  /**
   * Max users per body.
   * @default 1000
   */
  maxUsers: number;
}

export const DEFAULT_USER_DELETION_BATCH_LIMITS: Readonly<UserDeletionBatchLimits> = Object.freeze({ maxBodyBytes: API_LIMITS.deletionBodyBytes, maxUsers: API_LIMITS.deletionUsers });

const USERS_BODY_START = '{"operation":"DELETE","users":[';

/** Validates and packs user deletions into PATCH /v2/dp/users bodies. */
export function packUserDeletions(
  users: Iterable<UserDeletionInput>,
  limits: UserDeletionBatchLimits = DEFAULT_USER_DELETION_BATCH_LIMITS,
): Generator<RequestBatch, void, undefined> {
  return packUnkeyed(USER_DELETIONS, users, limits);
}

/**
 * Validates every user and checks it fits a body on its own, before anything is sent.
 * @throws InvalidInputError or RecordTooLargeError naming the record.
 */
export function checkUserDeletions(users: Iterable<UserDeletionInput>, limits: UserDeletionBatchLimits = DEFAULT_USER_DELETION_BATCH_LIMITS): void {
  checkAll(USER_DELETIONS, users, limits);
}

const USER_DELETIONS: ArrayEndpoint<UserDeletionInput, UserDeletionBatchLimits> = {
  start: USERS_BODY_START,
  item: userDeletionItem,
  limits(limits) {
    checkPositiveInteger(limits.maxBodyBytes, "maxBodyBytes");
    checkPositiveInteger(limits.maxUsers, "maxUsers");
    return { maxBodyBytes: limits.maxBodyBytes, maxItems: limits.maxUsers };
  },
};

function userDeletionItem(user: UserDeletionInput, index: number): JsonArrayItem {
  const json = userDeletionJson(user, index);
  return { json, bytes: Buffer.byteLength(json, "utf8"), recordType: user.type, recordId: user.value };
}

function userDeletionJson(user: UserDeletionInput, index: number): string {
  const where = `users[${index}]`;
  if (!RECORD_ID_TYPES.has(user.type)) {
    throw new InvalidInputError(`${where}.type`, `${where}.type must be ${ID_TYPES_IN_WORDS} (got ${JSON.stringify(user.type)})`);
  }
  if (typeof user.value !== "string" || user.value.length === 0) {
    throw new InvalidInputError(`${where}.value`, `${where}.value is empty or not a string`);
  }
  checkWellFormed(user.value, user.type, `${where}.value`);
  let json = `{"userId":{"type":"${user.type}","value":${JSON.stringify(user.value)}}`;
  // The users endpoint takes advertiserId as a string (unlike create, where it is a number).
  if (user.advertiserId !== undefined) json += `,"advertiserId":"${toInt64String(user.advertiserId, `${where}.advertiserId`)}"`;
  if (user.consentTime !== undefined) {
    if (!Number.isSafeInteger(user.consentTime) || user.consentTime < 0) {
      throw new InvalidInputError(`${where}.consentTime`, `${where}.consentTime must be epoch milliseconds (a non-negative integer)`);
    }
    json += `,"consentTime":${user.consentTime}`;
  }
  return `${json}}`;
}

// ---------------------------------------------------------------------------
// Bodies with the keys they carry

/**
 * A body and the caller's keys of what it carries, in input order: one key per record, user or
 * membership patch. A tracked send (records/tracked-send.ts) records per body which keys Amazon
 * accepted.
 */
export type KeyedBatch<K, B extends RequestBatch = RequestBatch> = B & { keys: K[] };

/** An input (a hashed record, a user deletion) and the caller's key for it. */
export interface Keyed<T, K> {
  input: T;
  key: K;
}

/** A column with one caller's key per value (`keys[i]` names `values[i]`). */
export type KeyedMembershipColumn<K> = MembershipOpColumn & { keys: readonly K[] };

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
  const packer = new JsonArrayPacker<K>(HASHED_BODY_START, HASHED_RECORDS.limits(limits));
  let index = 0;
  return {
    add: (record, key) => packer.add(hashedRecordItem(record, index++), key),
    finish: () => packer.finish(),
  };
}

/** {@link packUserDeletions}, each body with the keys of its users. */
export function packKeyedUserDeletions<K>(
  users: Iterable<Keyed<UserDeletionInput, K>>,
  limits: UserDeletionBatchLimits = DEFAULT_USER_DELETION_BATCH_LIMITS,
): Generator<KeyedBatch<K>, void, undefined> {
  return packKeyed(USER_DELETIONS, users, limits);
}

/**
 * {@link packMembershipColumns}, each body with the keys of its patches. The hot packer is left
 * as is: keys are queued per column and each body takes as many as it has patches (one patch
 * per value, in order).
 */
export function* packKeyedMembershipColumns<K>(
  columns: Iterable<KeyedMembershipColumn<K>>,
  limits: PatchBatchLimits = DEFAULT_PATCH_BATCH_LIMITS,
): Generator<KeyedBatch<K, PatchBatch>, void, undefined> {
  const queue: Array<readonly K[]> = [];
  let head = 0; // keys of queue[0] already handed out
  function* unkeyed(): Generator<MembershipOpColumn, void, undefined> {
    for (const column of columns) {
      if (column.keys.length !== column.values.length) {
        throw new InvalidInputError("column.keys", `column.keys has ${column.keys.length} keys for ${column.values.length} values`);
      }
      if (column.values.length > 0) queue.push(column.keys);
      yield column;
    }
  }
  for (const batch of packMembershipColumns(unkeyed(), limits)) {
    const keys: K[] = [];
    while (keys.length < batch.patches) {
      const next = queue[0] as readonly K[];
      const take = Math.min(next.length - head, batch.patches - keys.length);
      for (let i = head; i < head + take; i++) keys.push(next[i] as K);
      head += take;
      if (head === next.length) {
        queue.shift();
        head = 0;
      }
    }
    yield { ...batch, keys };
  }
}

// ---------------------------------------------------------------------------

interface JsonArrayItem {
  json: string;
  bytes: number;
  recordType: string;
  recordId: string;
}

/** An endpoint whose body is `<start>item,item]}`: how an input becomes an item, and its limits. */
interface ArrayEndpoint<T, L> {
  start: string;
  item(input: T, index: number): JsonArrayItem;
  /** Checks the limits and returns them in the packer's terms. */
  limits(limits: L): { maxBodyBytes: number; maxItems: number };
}

function* packKeyed<T, L, K>(endpoint: ArrayEndpoint<T, L>, inputs: Iterable<Keyed<T, K>>, limits: L): Generator<KeyedBatch<K>, void, undefined> {
  const packer = new JsonArrayPacker<K>(endpoint.start, endpoint.limits(limits));
  yield* packer.packAll(mapIterable(inputs, ({ input, key }, index) => ({ item: endpoint.item(input, index), key })));
}

/** Packs without keys (the array-input calls of the client). */
function* packUnkeyed<T, L>(endpoint: ArrayEndpoint<T, L>, inputs: Iterable<T>, limits: L): Generator<RequestBatch, void, undefined> {
  const keyed = packKeyed(endpoint, mapIterable(inputs, (input) => ({ input, key: undefined })), limits);
  for (const batch of keyed) yield { body: batch.body, bytes: batch.bytes, ops: batch.ops };
}

/** Validates every input and checks it fits a body on its own. */
function checkAll<T, L>(endpoint: ArrayEndpoint<T, L>, inputs: Iterable<T>, limits: L): void {
  const { maxBodyBytes } = endpoint.limits(limits);
  const wrapperBytes = endpoint.start.length + BODY_END.length;
  let index = 0;
  for (const input of inputs) checkItemFits(endpoint.item(input, index++), wrapperBytes, maxBodyBytes);
}

/**
 * Packs pre-rendered JSON items into `<start>item,item<end>` bodies within byte and count
 * limits, keeping the caller's key of each item. `add` returns the previous body when the item
 * had to start a new one.
 */
class JsonArrayPacker<K> {
  readonly #start: string;
  readonly #maxBodyBytes: number;
  readonly #maxItems: number;
  readonly #wrapperBytes: number;
  #parts: string[] = [];
  #keys: K[] = [];
  #bytes: number;

  constructor(start: string, limits: { maxBodyBytes: number; maxItems: number }) {
    this.#start = start;
    this.#maxBodyBytes = limits.maxBodyBytes;
    this.#maxItems = limits.maxItems;
    this.#wrapperBytes = start.length + BODY_END.length;
    this.#bytes = this.#wrapperBytes;
  }

  add(item: JsonArrayItem, key: K): KeyedBatch<K> | undefined {
    checkItemFits(item, this.#wrapperBytes, this.#maxBodyBytes);
    const separator = this.#parts.length > 0 ? 1 : 0;
    const full = this.#parts.length >= this.#maxItems || this.#bytes + separator + item.bytes > this.#maxBodyBytes ? this.#take() : undefined;
    this.#bytes += item.bytes + (this.#parts.length > 0 ? 1 : 0);
    this.#parts.push(item.json);
    this.#keys.push(key);
    return full;
  }

  finish(): KeyedBatch<K> | undefined {
    return this.#parts.length > 0 ? this.#take() : undefined;
  }

  /** Every body of `items`, lazily. */
  *packAll(items: Iterable<{ item: JsonArrayItem; key: K }>): Generator<KeyedBatch<K>, void, undefined> {
    for (const { item, key } of items) {
      const full = this.add(item, key);
      if (full !== undefined) yield full;
    }
    const last = this.finish();
    if (last !== undefined) yield last;
  }

  #take(): KeyedBatch<K> {
    const batch = { body: Buffer.from(this.#start + this.#parts.join(",") + BODY_END, "utf8"), bytes: this.#bytes, ops: this.#parts.length, keys: this.#keys };
    this.#parts = [];
    this.#keys = [];
    this.#bytes = this.#wrapperBytes;
    return batch;
  }
}

function checkItemFits(item: JsonArrayItem, wrapperBytes: number, maxBodyBytes: number): void {
  if (wrapperBytes + item.bytes > maxBodyBytes) {
    throw new RecordTooLargeError(item.recordType, item.recordId, wrapperBytes + item.bytes, maxBodyBytes);
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T, index: number) => U): Generator<U, void, undefined> {
  let index = 0;
  for (const item of items) yield map(item, index++);
}
