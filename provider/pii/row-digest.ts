/**
 * A short digest of a record's field hashes, so a later run can re-upload only the records
 * whose hashes changed (keyed by externalId). Built from hashes only, never from raw PII.
 */
import { sha256Hex } from "./hash";
import { PII_FIELDS, type HashedFields } from "./pii-fields";

/** Hex characters kept: 64 bits, ample to tell two versions of one record apart. */
export const ROW_DIGEST_LENGTH = 16;

/** First {@link ROW_DIGEST_LENGTH} hex chars of SHA-256 over the field hashes in canonical order ("" when absent). */
export function rowDigest(hashed: HashedFields): string {
  let joined = "";
  for (const field of PII_FIELDS) joined += `${hashed[field] ?? ""},`;
  return sha256Hex(joined).slice(0, ROW_DIGEST_LENGTH);
}

/**
 * {@link rowDigest} of the record a hashed-CSV line holds (`externalId,hash,…` in canonical order,
 * "" where absent): the cells after the externalId, each followed by ",", are exactly the text
 * {@link rowDigest} hashes, so the line is hashed as it is, with no object per field.
 */
export function rowDigestOfCsvLine(line: string): string {
  return sha256Hex(`${line.slice(line.indexOf(",") + 1)},`).slice(0, ROW_DIGEST_LENGTH);
}
