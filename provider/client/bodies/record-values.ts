/**
 * Record ids as they go into a body: their type, their JSON text, and the check that they are
 * well-formed Unicode. Shared by the membership patches and the user deletions.
 */
import { InvalidInputError, previewRecordId } from "../input-errors";
import { ID_TYPES, type IdType } from "../../api-vocabulary";

export type RecordIdType = IdType;

export const RECORD_ID_TYPES: ReadonlySet<string> = new Set<RecordIdType>(ID_TYPES);

// Printable ASCII except `"` and `\`: such a value goes into JSON verbatim and
// its byte length equals its string length. Anything else takes the slow path.
export const NEEDS_ESCAPING_OR_MULTIBYTE = /[^\x20\x21\x23-\x5b\x5d-\x7e]/;

// A lone UTF-16 surrogate cannot be stored as UTF-8 (it would become U+FFFD and
// collide with other ids); one such value would fail its whole 2,000-patch request.
const LONE_SURROGATE = /\p{Cs}/u;

/** @throws InvalidInputError when `value` holds a lone UTF-16 surrogate. */
export function checkWellFormed(value: string, recordType: string, field: string): void {
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
