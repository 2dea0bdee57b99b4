/** What every packer produces: a ready-to-send body with its counts, and the keys of what it carries. */

/** A ready-to-send request body with its counts. */
export interface RequestBatch {
  /** UTF-8 JSON, sent as is. */
  body: Buffer;
  /** Size of `body` in bytes. */
  bytes: number;
  /** Record-level operations in the body (memberships, records or users). */
  ops: number;
}

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

/** How every body that holds an array of records ends: the array, then the object. */
export const BODY_END = "]}";
