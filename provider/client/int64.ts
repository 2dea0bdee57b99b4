/**
 * Lossless handling of Amazon's int64 ids (audience and advertiser ids exceed
 * 2^53, e.g. 72057594038053890). Ids live in TypeScript as canonical decimal
 * strings and are written to JSON as bare numbers built from those strings.
 */
import { InvalidInputError } from "./input-errors";

const INT64_PATTERN = /^-?[0-9]{1,19}$/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** True when `value` is a decimal int64 literal (1–19 digits, optional minus, within range). */
export function isInt64String(value: string): boolean {
  if (!INT64_PATTERN.test(value)) return false;
  const parsed = BigInt(value);
  return parsed >= INT64_MIN && parsed <= INT64_MAX;
}

/**
 * Validates an id and returns its canonical decimal form (no leading zeros,
 * no "-0"), which is also its bare JSON literal.
 * @throws InvalidInputError naming `field` when the value is not an int64.
 */
export function toInt64String(value: unknown, field: string): string {
  if (typeof value === "string") {
    if (!isInt64String(value)) {
      throw new InvalidInputError(field, `${field} must be an int64 decimal string (got ${describe(value)})`);
    }
    return BigInt(value).toString();
  }
  if (typeof value === "bigint") {
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new InvalidInputError(field, `${field} is outside the int64 range`);
    }
    return value.toString();
  }
  if (typeof value === "number") {
    // A JS number above 2^53 has already lost digits: refuse rather than guess.
    if (!Number.isSafeInteger(value)) {
      throw new InvalidInputError(field, `${field} must be a safe integer or a decimal string (got ${value})`);
    }
    return String(value);
  }
  throw new InvalidInputError(field, `${field} must be an int64 decimal string (got ${typeof value})`);
}

/** Field names whose integer values are ids in DSP responses. */
export const DSP_ID_FIELDS: ReadonlySet<string> = new Set(["id", "audienceId", "advertiserId"]);

// One JSON string token, optionally followed by `: <integer>`. Scanning whole
// string tokens left to right means digits inside strings are never touched.
const KEY_WITH_INTEGER_VALUE = /"(?:[^"\\]|\\.)*"(\s*:\s*)(-?\d+)(?![.eE\d])/g;

/**
 * `JSON.parse` that keeps integer values of the given id fields exact by
 * quoting them before parsing, so they come back as decimal strings.
 * Everything else parses exactly as with `JSON.parse`.
 */
export function parseJsonWithInt64Ids(text: string, idFields: ReadonlySet<string> = DSP_ID_FIELDS): unknown {
  const quoted = text.replace(KEY_WITH_INTEGER_VALUE, (match: string, colon: string | undefined, digits: string | undefined) => {
    if (colon === undefined || digits === undefined) return match;
    const keyToken = match.slice(0, match.length - colon.length - digits.length);
    const key = keyToken.slice(1, -1);
    return idFields.has(key) ? `${keyToken}${colon}"${digits}"` : match;
  });
  return JSON.parse(quoted) as unknown;
}

function describe(value: string): string {
  return value.length > 24 ? `"${value.slice(0, 24)}…" (${value.length} chars)` : `"${value}"`;
}
