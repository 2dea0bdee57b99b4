/** PATCH /v2/dp/users bodies: requests to delete users' data, validated and packed. */
import { InvalidInputError } from "../input-errors";
import { toInt64String } from "../int64";
import { ID_TYPES_IN_WORDS } from "../../api-vocabulary";
import { DEFAULT_USER_DELETION_BATCH_LIMITS, userDeletionItemLimits, type UserDeletionBatchLimits } from "./body-limits";
import { checkAll, packKeyed, packUnkeyed, type ArrayEndpoint, type JsonArrayItem } from "./json-array-packer";
import { RECORD_ID_TYPES, checkWellFormed, type RecordIdType } from "./record-values";
import type { Keyed, KeyedBatch, RequestBatch } from "./request-batch";

export interface UserDeletionInput {
  type: RecordIdType;
  value: string;
  /** Limit the deletion to this advertiser's data (int64 decimal string); omit to delete everything this client holds. */
  advertiserId?: string;
  /** When the user's consent was withdrawn, in epoch ms. */
  consentTime?: number;
}

const USER_DELETIONS: ArrayEndpoint<UserDeletionInput, UserDeletionBatchLimits> = {
  start: '{"operation":"DELETE","users":[',
  item: userDeletionItem,
  limits: userDeletionItemLimits,
};

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

/** {@link packUserDeletions}, each body with the keys of its users. */
export function packKeyedUserDeletions<K>(
  users: Iterable<Keyed<UserDeletionInput, K>>,
  limits: UserDeletionBatchLimits = DEFAULT_USER_DELETION_BATCH_LIMITS,
): Generator<KeyedBatch<K>, void, undefined> {
  return packKeyed(USER_DELETIONS, users, limits);
}

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
