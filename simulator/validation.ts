/**
 * Pure request validators. Each returns the decoded request or the issues Amazon would list in
 * `error.errors`; none throws for bad input. Where sources disagree the stricter reading wins
 * (see README "Validation").
 */
import { isDataSourceCountry } from "./countries";
import { int64OfJsonInteger, toInt64String, type JsonObject, type JsonValue } from "./int64-json";
import {
  CURRENCIES,
  HASHED_FIELDS,
  RECORD_TYPES,
  type AudienceFee,
  type Currency,
  type DeletionUser,
  type HashedField,
  type MembershipOp,
  type RecordType,
} from "./model";

export interface FieldIssue {
  errorType: "INVALID_INPUT" | "INPUT_TOO_LARGE";
  message: string;
  fieldName?: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; status: 400 | 413; issues: FieldIssue[] };

export const NAME_MIN_LENGTH = 10;
export const NAME_MAX_LENGTH = 128;
export const DESCRIPTION_MAX_LENGTH = 1000;
export const EXTERNAL_AUDIENCE_ID_MAX_LENGTH = 128;
export const TTL_MAX_SECONDS = 34_300_800;
/** Responses list at most this many issues, so that a bad 1 MB body does not echo itself. */
const MAX_ISSUES = 100;

export const PATCH_PATH = /^\/(COOKIE|MAID|EXTERNAL_USER_ID)-(.+)\/audiences$/;
export const EXTERNAL_ID = /^[0-9a-zA-Z_-]{1,128}$/;
export const SHA256_HEX = /^[0-9a-f]{64}$/;

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Collects issues and stops collecting (not checking) after {@link MAX_ISSUES}. */
class Issues {
  readonly list: FieldIssue[] = [];
  invalid(fieldName: string | undefined, message: string): void {
    if (this.list.length >= MAX_ISSUES) return;
    this.list.push(fieldName === undefined ? { errorType: "INVALID_INPUT", message } : { errorType: "INVALID_INPUT", message, fieldName });
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
  result<T>(value: T): Validation<T> {
    return this.empty ? { ok: true, value } : this.failure();
  }
  failure(): { ok: false; status: 400; issues: FieldIssue[] } {
    return { ok: false, status: 400, issues: this.list };
  }
}

function tooLarge(message: string, fieldName: string): Validation<never> {
  return { ok: false, status: 413, issues: [{ errorType: "INPUT_TOO_LARGE", message, fieldName }] };
}

function notAnObject(): Validation<never> {
  return { ok: false, status: 400, issues: [{ errorType: "INVALID_INPUT", message: "The request body must be a JSON object" }] };
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

function rejectUnknownFields(obj: JsonObject, allowed: readonly string[], prefix: string, issues: Issues): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) issues.invalid(join(prefix, key), `The input field '${join(prefix, key)}' is not recognized`);
  }
}

/**
 * An int64 field (`type: integer, format: int64` in the documents): its canonical text when it is
 * a JSON integer that `accepts`, else an issue naming the field. A quoted number gets its own
 * message, so that a client which quotes an id learns exactly that.
 */
function checkInt64(v: JsonValue | undefined, field: string, what: string, issues: Issues, accepts: (id: string) => boolean = () => true): string | undefined {
  const id = int64OfJsonInteger(v);
  if (id !== undefined && accepts(id)) return id;
  const quoted = typeof v === "string" && toInt64String(v) !== undefined;
  issues.invalid(field, quoted ? `The input field '${field}' must be a JSON integer, not a string` : `The input field '${field}' must be ${what}`);
  return undefined;
}

const isPositive = (id: string): boolean => !id.startsWith("-") && id !== "0";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Record values are stored as UTF-8, where lone surrogates would all become U+FFFD and collide. */
function isWellFormedUnicode(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// ---------------------------------------------------------------- audience metadata

export interface AudienceInput {
  name: string;
  description: string;
  advertiserId: string;
  externalAudienceId: string;
  ttl: number;
  audienceFees: AudienceFee[];
  dataSourceCountry: string[];
}

export interface AudienceUpdate {
  description?: string;
  ttl?: number;
  audienceFees?: AudienceFee[];
  dataSourceCountry?: string[];
}

function checkDescription(v: JsonValue | undefined, issues: Issues): string | undefined {
  if (typeof v !== "string") {
    issues.invalid("description", "The input field 'description' must be a string (it may be empty)");
    return undefined;
  }
  if (codePointLength(v) > DESCRIPTION_MAX_LENGTH) {
    issues.invalid("description", `The input field 'description' must be at most ${DESCRIPTION_MAX_LENGTH} characters long`);
  }
  return v;
}

function checkTtl(v: JsonValue | undefined, issues: Issues): number | undefined {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > TTL_MAX_SECONDS) {
    issues.invalid("metadata.ttl", `The input field 'metadata.ttl' must be an integer between 0 and ${TTL_MAX_SECONDS} seconds`);
    return undefined;
  }
  return v;
}

function checkCountries(v: JsonValue | undefined, issues: Issues): string[] | undefined {
  const field = "metadata.dataSourceCountry";
  if (!Array.isArray(v) || v.length === 0) {
    issues.invalid(field, `The input field '${field}' must be a non-empty array of ISO 3166-1 alpha-2 country codes`);
    return undefined;
  }
  const out: string[] = [];
  v.forEach((c, i) => {
    if (typeof c === "string" && isDataSourceCountry(c)) out.push(c);
    else issues.invalid(`${field}[${i}]`, `The value ${JSON.stringify(String(c))} is not an ISO 3166-1 alpha-2 country code or UNKNOWN`);
  });
  return out;
}

function checkFees(v: JsonValue | undefined, issues: Issues): AudienceFee[] | undefined {
  const field = "metadata.audienceFees";
  if (!Array.isArray(v)) {
    issues.invalid(field, `The input field '${field}' must be an array`);
    return undefined;
  }
  const out: AudienceFee[] = [];
  v.forEach((fee, i) => {
    const at = `${field}[${i}]`;
    if (!isObject(fee)) return issues.invalid(at, `The input field '${at}' must be an object`);
    rejectUnknownFields(fee, ["cpmCents", "currency"], at, issues);
    const { cpmCents, currency } = fee;
    const centsOk = typeof cpmCents === "number" && Number.isSafeInteger(cpmCents) && cpmCents >= 0;
    const currencyOk = typeof currency === "string" && (CURRENCIES as readonly string[]).includes(currency);
    if (!centsOk) issues.invalid(`${at}.cpmCents`, `The input field '${at}.cpmCents' must be a non-negative integer`);
    if (!currencyOk) issues.invalid(`${at}.currency`, `The input field '${at}.currency' must be one of ${CURRENCIES.join(", ")}`);
    if (centsOk && currencyOk) out.push({ cpmCents, currency: currency as Currency });
  });
  return out;
}

/** POST /v2/dp/audiencemetadata/ */
export function validateCreateAudience(body: JsonValue): Validation<AudienceInput> {
  if (!isObject(body)) return notAnObject();
  const issues = new Issues();
  rejectUnknownFields(body, ["name", "description", "advertiserId", "metadata"], "", issues);

  const { name } = body;
  if (typeof name !== "string" || codePointLength(name) < NAME_MIN_LENGTH || codePointLength(name) > NAME_MAX_LENGTH) {
    issues.invalid("name", `The input field 'name' must be a string of ${NAME_MIN_LENGTH} to ${NAME_MAX_LENGTH} characters`);
  }
  const description = checkDescription(body.description, issues);
  const advertiserId = checkInt64(body.advertiserId, "advertiserId", "a positive int64 integer", issues, isPositive);

  const { metadata } = body;
  let externalAudienceId: string | undefined;
  let ttl: number | undefined = TTL_MAX_SECONDS; // Amazon documents no default; the maximum is the safe guess
  let audienceFees: AudienceFee[] | undefined = [];
  let dataSourceCountry: string[] | undefined;
  if (!isObject(metadata)) {
    issues.invalid("metadata", "The input field 'metadata' must be an object");
  } else {
    rejectUnknownFields(metadata, ["type", "externalAudienceId", "dataSourceCountry", "ttl", "audienceFees"], "metadata", issues);
    if (metadata.type !== "DATA_PROVIDER") issues.invalid("metadata.type", "The input field 'metadata.type' must be DATA_PROVIDER");
    const ext = metadata.externalAudienceId;
    if (typeof ext !== "string" || ext.length === 0 || codePointLength(ext) > EXTERNAL_AUDIENCE_ID_MAX_LENGTH) {
      issues.invalid(
        "metadata.externalAudienceId",
        `The input field 'metadata.externalAudienceId' must be a string of 1 to ${EXTERNAL_AUDIENCE_ID_MAX_LENGTH} characters`,
      );
    } else {
      externalAudienceId = ext;
    }
    dataSourceCountry = checkCountries(metadata.dataSourceCountry, issues);
    if (metadata.ttl !== undefined) ttl = checkTtl(metadata.ttl, issues);
    if (metadata.audienceFees !== undefined) audienceFees = checkFees(metadata.audienceFees, issues);
  }
  if (
    !issues.empty ||
    typeof name !== "string" ||
    description === undefined ||
    advertiserId === undefined ||
    externalAudienceId === undefined ||
    ttl === undefined ||
    audienceFees === undefined ||
    dataSourceCountry === undefined
  ) {
    return issues.failure();
  }
  return { ok: true, value: { name, description, advertiserId, externalAudienceId, ttl, audienceFees, dataSourceCountry } };
}

const NOT_UPDATABLE_TOP = ["name", "advertiserId", "externalAudienceId", "type", "id"];
const NOT_UPDATABLE_METADATA = ["externalAudienceId", "type", "audienceSize"];

/** PUT /v2/dp/audiencemetadata/{id}: a partial update of description, ttl, fees and countries. */
export function validateUpdateAudience(body: JsonValue): Validation<AudienceUpdate> {
  if (!isObject(body)) return notAnObject();
  const issues = new Issues();
  const update: AudienceUpdate = {};
  for (const key of Object.keys(body)) {
    if (NOT_UPDATABLE_TOP.includes(key)) issues.invalid(key, `The input field '${key}' cannot be updated`);
    else if (key !== "description" && key !== "metadata") issues.invalid(key, `The input field '${key}' is not recognized`);
  }
  if (body.description !== undefined) {
    const d = checkDescription(body.description, issues);
    if (d !== undefined) update.description = d;
  }
  const { metadata } = body;
  if (metadata !== undefined) {
    if (!isObject(metadata)) {
      issues.invalid("metadata", "The input field 'metadata' must be an object");
    } else {
      for (const key of Object.keys(metadata)) {
        if (NOT_UPDATABLE_METADATA.includes(key)) issues.invalid(key, `The input field '${key}' cannot be updated`);
        else if (!["ttl", "audienceFees", "dataSourceCountry"].includes(key)) {
          issues.invalid(`metadata.${key}`, `The input field 'metadata.${key}' is not recognized`);
        }
      }
      if (metadata.ttl !== undefined) {
        const ttl = checkTtl(metadata.ttl, issues);
        if (ttl !== undefined) update.ttl = ttl;
      }
      if (metadata.audienceFees !== undefined) {
        const fees = checkFees(metadata.audienceFees, issues);
        if (fees !== undefined) update.audienceFees = fees;
      }
      if (metadata.dataSourceCountry !== undefined) {
        const countries = checkCountries(metadata.dataSourceCountry, issues);
        if (countries !== undefined) update.dataSourceCountry = countries;
      }
    }
  }
  return issues.result(update);
}

/** The `{audienceId}` path parameter: canonical positive int64 text, or undefined. */
export function parseAudienceIdParam(raw: string): string | undefined {
  const id = /^\d{1,19}$/.test(raw) ? toInt64String(raw) : undefined;
  return id === undefined || id === "0" ? undefined : id;
}

// ---------------------------------------------------------------- PATCH /v2/dp/audience

const CONSENT_VALUES = ["GRANTED", "DENIED"];

function checkConsent(v: JsonValue, at: string, issues: Issues): void {
  if (!isObject(v)) return issues.invalid(at, `The input field '${at}' must be an object`);
  rejectUnknownFields(v, ["consentType", "tcf", "gpp", "amazonConsent"], at, issues);
  const kinds = { TCF: "tcf", GPP: "gpp", Amazon: "amazonConsent" } as const;
  const type = v.consentType;
  if (type !== "TCF" && type !== "GPP" && type !== "Amazon") {
    return issues.invalid(`${at}.consentType`, `The input field '${at}.consentType' must be TCF, GPP or Amazon`);
  }
  const expected = kinds[type];
  for (const other of Object.values(kinds)) {
    if (other !== expected && v[other] !== undefined) {
      issues.invalid(`${at}.${other}`, `Only '${expected}' may be given when consentType is ${type}`);
    }
  }
  const payload = v[expected];
  if (type === "Amazon") {
    if (!isObject(payload)) return issues.invalid(`${at}.amazonConsent`, `The input field '${at}.amazonConsent' must be an object`);
    rejectUnknownFields(payload, ["amazonAdStorage", "amazonUserData"], `${at}.amazonConsent`, issues);
    for (const key of ["amazonAdStorage", "amazonUserData"]) {
      const value = payload[key];
      if (typeof value !== "string" || !CONSENT_VALUES.includes(value)) {
        issues.invalid(`${at}.amazonConsent.${key}`, `The input field '${at}.amazonConsent.${key}' must be GRANTED or DENIED`);
      }
    }
  } else if (typeof payload !== "string" || payload.length === 0) {
    issues.invalid(`${at}.${expected}`, `The input field '${at}.${expected}' must be a non-empty consent string`);
  }
}

/**
 * Reference decoder of a PATCH /v2/dp/audience body. `patch-decoder.ts` has a fast path that
 * must agree with this function on every body it accepts.
 */
export function validatePatchBody(body: JsonValue, maxPatches: number): Validation<MembershipOp[]> {
  if (!isObject(body)) return notAnObject();
  const issues = new Issues();
  rejectUnknownFields(body, ["patches"], "", issues);
  const { patches } = body;
  if (!Array.isArray(patches) || patches.length === 0) {
    issues.invalid("patches", "The input field 'patches' must be a non-empty array");
    return issues.result([]);
  }
  if (patches.length > maxPatches) {
    return tooLarge(`The request contains ${patches.length} patches; at most ${maxPatches} are allowed.`, "patches");
  }
  const ops: MembershipOp[] = [];
  let previousIds: string[] = [];
  patches.forEach((patch, i) => {
    const at = `patches[${i}]`;
    if (!isObject(patch)) return issues.invalid(at, `The input field '${at}' must be an object`);
    rejectUnknownFields(patch, ["op", "path", "value", "consent"], at, issues);
    const { op, path, value, consent } = patch;
    if (op !== "add" && op !== "remove") issues.invalid(`${at}.op`, `The input field '${at}.op' must be add or remove`);
    const match = typeof path === "string" && isWellFormedUnicode(path) ? PATCH_PATH.exec(path) : null;
    if (!match) {
      issues.invalid(`${at}.path`, `The input field '${at}.path' must look like /<COOKIE|MAID|EXTERNAL_USER_ID>-<id>/audiences`);
    }
    let ids: string[] | undefined;
    if (!Array.isArray(value) || value.length === 0) {
      issues.invalid(`${at}.value`, `The input field '${at}.value' must be a non-empty array of audience ids`);
    } else {
      ids = [];
      for (let k = 0; k < value.length; k++) {
        const id = checkInt64(value[k], `${at}.value[${k}]`, "an int64 audience id", issues);
        if (id !== undefined) ids.push(id);
      }
    }
    if (consent !== undefined) checkConsent(consent, `${at}.consent`, issues);
    if (!issues.empty || !match || !ids) return;
    // Consecutive patches usually target the same audiences: share one array.
    if (ids.length === previousIds.length && ids.every((id, k) => id === previousIds[k])) ids = previousIds;
    previousIds = ids;
    ops.push({ add: op === "add", type: match[1] as RecordType, value: match[2] as string, audienceIds: ids });
  });
  return issues.result(ops);
}

// ---------------------------------------------------------------- PATCH /v2/dp/users

/** PATCH /v2/dp/users in the OpenAPI shape: `{operation: "DELETE", users: [{userId: {type, value}, ...}]}`. */
export function validateUsersBody(body: JsonValue, maxUsers: number): Validation<DeletionUser[]> {
  if (!isObject(body)) return notAnObject();
  const issues = new Issues();
  rejectUnknownFields(body, ["operation", "users"], "", issues);
  if (body.operation !== "DELETE") issues.invalid("operation", "The input field 'operation' must be DELETE");
  const { users } = body;
  if (!Array.isArray(users) || users.length === 0) {
    issues.invalid("users", "The input field 'users' must be a non-empty array");
    return issues.result([]);
  }
  if (users.length > maxUsers) return tooLarge(`The request contains ${users.length} users; at most ${maxUsers} are allowed.`, "users");
  const out: DeletionUser[] = [];
  users.forEach((user, i) => {
    const at = `users[${i}]`;
    if (!isObject(user)) return issues.invalid(at, `The input field '${at}' must be an object`);
    rejectUnknownFields(user, ["userId", "advertiserId", "consentTime"], at, issues);
    const { userId } = user;
    if (!isObject(userId)) return issues.invalid(`${at}.userId`, `The input field '${at}.userId' must be an object {type, value}`);
    rejectUnknownFields(userId, ["type", "value"], `${at}.userId`, issues);
    const { type, value } = userId;
    const typeOk = typeof type === "string" && (RECORD_TYPES as readonly string[]).includes(type);
    if (!typeOk) issues.invalid(`${at}.userId.type`, `The input field '${at}.userId.type' must be one of ${RECORD_TYPES.join(", ")}`);
    if (typeof value !== "string" || value.length === 0 || !isWellFormedUnicode(value)) {
      issues.invalid(`${at}.userId.value`, `The input field '${at}.userId.value' must be a non-empty string`);
    }
    const entry: DeletionUser = { type: type as RecordType, value: value as string };
    if (user.advertiserId !== undefined) {
      // Unlike create, this endpoint documents advertiserId as a string.
      const adv = typeof user.advertiserId === "string" ? toInt64String(user.advertiserId) : undefined;
      if (adv === undefined || !isPositive(adv)) {
        issues.invalid(`${at}.advertiserId`, `The input field '${at}.advertiserId' must be a string holding a positive int64`);
      } else entry.advertiserId = adv;
    }
    if (user.consentTime !== undefined) {
      const time = checkInt64(user.consentTime, `${at}.consentTime`, "epoch milliseconds (a non-negative int64 integer)", issues, (t) => !t.startsWith("-"));
      if (time !== undefined) entry.consentTime = time;
    }
    out.push(entry);
  });
  return issues.result(out);
}

// ---------------------------------------------------------------- POST /dp/records/hashed

export type HashedSet = Partial<Record<HashedField, string>>;
export interface HashedRecordInput {
  externalId: string;
  sets: HashedSet[];
}
/** Hashed records use `{errorMessage}` bodies, so this validator returns one message. */
export type HashedValidation = { ok: true; value: HashedRecordInput[] } | { ok: false; errorMessage: string };

/** POST /dp/records/hashed (v3 body). */
export function validateHashedBody(body: unknown): HashedValidation {
  const parseError = (detail: string): HashedValidation => ({ ok: false, errorMessage: `Failed to parse request data: ${detail}` });
  if (typeof body !== "object" || body === null || Array.isArray(body)) return parseError("the body must be a JSON object");
  const root = body as Record<string, unknown>;
  const unknownTop = Object.keys(root).find((k) => k !== "records");
  if (unknownTop !== undefined) return parseError(`unrecognized field '${unknownTop}'`);
  const records = root.records;
  if (!Array.isArray(records) || records.length === 0) return parseError("'records' must be a non-empty array");
  const out: HashedRecordInput[] = [];
  for (let i = 0; i < records.length; i++) {
    const rec: unknown = records[i];
    if (typeof rec !== "object" || rec === null || Array.isArray(rec)) return parseError(`records[${i}] must be an object`);
    const r = rec as Record<string, unknown>;
    const unknown = Object.keys(r).find((k) => k !== "externalId" && k !== "hashedRecords");
    if (unknown !== undefined) return parseError(`unrecognized field 'records[${i}].${unknown}'`);
    const { externalId, hashedRecords } = r;
    if (typeof externalId !== "string" || !EXTERNAL_ID.test(externalId)) {
      return parseError(`records[${i}].externalId must match [0-9a-zA-Z\\-_]{1,128}`);
    }
    if (!Array.isArray(hashedRecords) || hashedRecords.length === 0) {
      return parseError(`records[${i}].hashedRecords must be a non-empty array`);
    }
    const sets: HashedSet[] = [];
    for (const hr of hashedRecords as unknown[]) {
      if (typeof hr !== "object" || hr === null || Array.isArray(hr)) {
        return parseError(`records[${i}].hashedRecords must contain objects`);
      }
      const fields = Object.entries(hr as Record<string, unknown>);
      const bad = fields
        .filter(([k, v]) => !(HASHED_FIELDS as readonly string[]).includes(k) || typeof v !== "string" || !SHA256_HEX.test(v))
        .map(([k]) => k);
      if (fields.length === 0 || bad.length > 0) {
        const what = fields.length === 0 ? "no hashed attributes" : `invalid hashed attributes [${bad.join(", ")}]`;
        return { ok: false, errorMessage: `Hashed records associated with [externalId:${externalId}] contains ${what}` };
      }
      sets.push(Object.fromEntries(fields) as HashedSet);
    }
    out.push({ externalId, sets });
  }
  return { ok: true, value: out };
}
