/**
 * The body limits of the three endpoints that take records, in one home: the options with their
 * defaults (Amazon's limits, `API_LIMITS`), and their checks. "MB" is taken as 10^6 bytes, the
 * conservative reading. The packers and the client read them from here.
 */
import { API_LIMITS } from "../../api-vocabulary";

/** Limits of a PATCH /v2/dp/audience body. */
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

/** Limits of a POST /dp/records/hashed body. */
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

/** Limits of a PATCH /v2/dp/users body. */
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

/** A body's limits in a packer's terms: bytes, and items (patches, records or users). */
export interface ItemLimits {
  maxBodyBytes: number;
  maxItems: number;
}

/** @throws RangeError when a limit is not a positive integer. */
export function checkPatchLimits(limits: PatchBatchLimits): void {
  checkPositiveInteger(limits.maxBodyBytes, "maxBodyBytes");
  checkPositiveInteger(limits.maxPatches, "maxPatches");
}

/** Checks the limits and returns them in a packer's terms. @throws RangeError */
export function hashedRecordItemLimits(limits: HashedRecordBatchLimits): ItemLimits {
  checkPositiveInteger(limits.maxBodyBytes, "maxBodyBytes");
  if (!(limits.maxRecords >= 1)) throw new RangeError(`maxRecords must be ≥ 1 (got ${limits.maxRecords})`);
  return { maxBodyBytes: limits.maxBodyBytes, maxItems: limits.maxRecords };
}

/** Checks the limits and returns them in a packer's terms. @throws RangeError */
export function userDeletionItemLimits(limits: UserDeletionBatchLimits): ItemLimits {
  checkPositiveInteger(limits.maxBodyBytes, "maxBodyBytes");
  checkPositiveInteger(limits.maxUsers, "maxUsers");
  return { maxBodyBytes: limits.maxBodyBytes, maxItems: limits.maxUsers };
}

function checkPositiveInteger(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer (got ${value})`);
}
