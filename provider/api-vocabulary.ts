/**
 * The Data Provider API's vocabulary, written once: the ID types, the externalId syntax, the
 * CSV id-column names and the request limits (docs/amazon-api.md#endpoints). Every module that
 * names one of these imports it from here; the simulator keeps its own copy on purpose, as an
 * independent model of Amazon's side.
 */

/** The ID types a membership or a user deletion names, in the order previews and summaries list them. */
export const ID_TYPES = ["COOKIE", "MAID", "EXTERNAL_USER_ID"] as const;
export type IdType = (typeof ID_TYPES)[number];

/** `COOKIE, MAID or EXTERNAL_USER_ID`, for messages. */
export const ID_TYPES_IN_WORDS = `${ID_TYPES.slice(0, -1).join(", ")} or ${ID_TYPES[ID_TYPES.length - 1]}`;

/** `COOKIE|MAID|EXTERNAL_USER_ID`, for patterns and usage lines. */
export const ID_TYPE_ALTERNATION = ID_TYPES.join("|");

export function isIdType(value: unknown): value is IdType {
  return typeof value === "string" && (ID_TYPES as readonly string[]).includes(value);
}

/** A hashed record's externalId: 1 to 128 of `0-9 a-z A-Z _ -`. */
export const EXTERNAL_ID_MAX_LENGTH = 128;
export const EXTERNAL_ID_PATTERN = /^[0-9a-zA-Z_-]{1,128}$/;

/** Accepted names of a records CSV's optional id column (matched case-insensitively after trimming). */
export const ID_COLUMNS: readonly string[] = ["id", "external_id"];

/** An audience's time to live: whole seconds from 0 to this (397 days). */
export const TTL_MAX_SECONDS = 34_300_800;

/** Request limits; "MB" is taken as 10^6 bytes, the conservative reading. */
export const API_LIMITS = Object.freeze({
  /** PATCH /v2/dp/audience */
  membershipBodyBytes: 1_000_000,
  membershipPatches: 2000,
  /** POST /dp/records/hashed */
  hashedRecordsBodyBytes: 5_000_000,
  /** PATCH /v2/dp/users */
  deletionBodyBytes: 1_000_000,
  deletionUsers: 1000,
});
