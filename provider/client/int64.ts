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

/** The reviver's third argument on Node >= 22 (JSON.parse source text access): the value's own JSON text. */
interface ReviverContext {
  readonly source?: string;
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * `JSON.parse` that keeps integer values of the given id fields exact: the reviver sees each
 * number's source text and returns it, so ids come back as decimal strings. Everything else
 * parses exactly as with `JSON.parse`.
 */
export function parseJsonWithInt64Ids(text: string, idFields: ReadonlySet<string> = DSP_ID_FIELDS): unknown {
  const reviver = (key: string, value: unknown, context?: ReviverContext): unknown => {
    if (typeof value !== "number" || !idFields.has(key)) return value;
    // Without the source text (Node < 22) the id would already be rounded: refuse, never guess.
    if (context?.source === undefined) throw new Error("reading int64 ids needs Node.js >= 22 (JSON.parse source text access)");
    return INTEGER_TEXT.test(context.source) ? context.source : value;
  };
  return JSON.parse(text, reviver as (this: unknown, key: string, value: unknown) => unknown) as unknown;
}

function describe(value: string): string {
  return value.length > 24 ? `"${value.slice(0, 24)}…" (${value.length} chars)` : `"${value}"`;
}
