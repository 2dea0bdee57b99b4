/**
 * JSON that keeps int64 values exact.
 *
 * Amazon sends and expects audience and advertiser ids as JSON numbers above 2^53, which
 * `JSON.parse` silently rounds. The parser here returns integers outside the safe range as
 * `bigint`; the serializer writes `bigint` as a bare JSON number.
 */

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export class JsonSyntaxError extends Error {
  override name = "JsonSyntaxError";
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
  }
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
const MAX_DEPTH = 256;

/**
 * Parses JSON text like `JSON.parse` (same grammar, same errors, duplicate keys: last wins)
 * except that integer literals outside ±(2^53 - 1) become `bigint`.
 */
export function parseJsonLossless(text: string): JsonValue {
  return new LosslessParser(text).parseDocument();
}

class LosslessParser {
  private i = 0;
  /** Index of the next backslash at or after the current string, cached so that scanning stays linear. */
  private nextBackslash = -2;

  constructor(private readonly src: string) {}

  parseDocument(): JsonValue {
    const value = this.value(0);
    this.skipWhitespace();
    if (this.i !== this.src.length) this.fail("Unexpected token after JSON value");
    return value;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(message, this.i);
  }

  private skipWhitespace(): void {
    const src = this.src;
    let i = this.i;
    for (;;) {
      const c = src.charCodeAt(i);
      if (c === 32 || c === 10 || c === 13 || c === 9) i++;
      else break;
    }
    this.i = i;
  }

  private value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail("JSON nested too deeply");
    this.skipWhitespace();
    const c = this.src.charCodeAt(this.i);
    if (c === 123) return this.object(depth);
    if (c === 91) return this.array(depth);
    if (c === 34) return this.string();
    if (c === 45 || (c >= 48 && c <= 57)) return this.number();
    if (this.src.startsWith("true", this.i)) return this.literal(4, true);
    if (this.src.startsWith("false", this.i)) return this.literal(5, false);
    if (this.src.startsWith("null", this.i)) return this.literal(4, null);
    return this.fail(Number.isNaN(c) ? "Unexpected end of JSON input" : "Unexpected token");
  }

  private literal<T>(length: number, value: T): T {
    this.i += length;
    return value;
  }

  private object(depth: number): JsonObject {
    this.i++;
    const out: JsonObject = {};
    this.skipWhitespace();
    if (this.src.charCodeAt(this.i) === 125) {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.src.charCodeAt(this.i) !== 34) this.fail("Expected property name");
      const key = this.string();
      this.skipWhitespace();
      if (this.src.charCodeAt(this.i) !== 58) this.fail("Expected ':' after property name");
      this.i++;
      const v = this.value(depth + 1);
      // A plain assignment of "__proto__" would change the prototype instead of adding a key.
      if (key === "__proto__") Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      else out[key] = v;
      this.skipWhitespace();
      const d = this.src.charCodeAt(this.i++);
      if (d === 44) continue;
      if (d === 125) return out;
      this.i--;
      this.fail("Expected ',' or '}' in object");
    }
  }

  private array(depth: number): JsonValue[] {
    this.i++;
    const out: JsonValue[] = [];
    this.skipWhitespace();
    if (this.src.charCodeAt(this.i) === 93) {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skipWhitespace();
      const d = this.src.charCodeAt(this.i++);
      if (d === 44) continue;
      if (d === 93) return out;
      this.i--;
      this.fail("Expected ',' or ']' in array");
    }
  }

  private string(): string {
    const src = this.src;
    const start = this.i + 1;
    const end = src.indexOf('"', start);
    if (end < 0) this.fail("Unterminated string");
    if (this.nextBackslash !== -1 && this.nextBackslash < start) this.nextBackslash = src.indexOf("\\", start);
    if (this.nextBackslash !== -1 && this.nextBackslash < end) return this.escapedString(start);
    for (let k = start; k < end; k++) {
      if (src.charCodeAt(k) < 32) {
        this.i = k;
        this.fail("Bad control character in string literal");
      }
    }
    this.i = end + 1;
    return src.slice(start, end);
  }

  /** Rare path: let JSON.parse decode escapes of one string literal. */
  private escapedString(start: number): string {
    const src = this.src;
    let k = start;
    for (; k < src.length; k++) {
      const c = src.charCodeAt(k);
      if (c === 34) break;
      if (c === 92) k++;
    }
    if (k >= src.length) this.fail("Unterminated string");
    try {
      const decoded = JSON.parse(src.slice(start - 1, k + 1)) as string;
      this.i = k + 1;
      return decoded;
    } catch {
      return this.fail("Bad string literal");
    }
  }

  private number(): number | bigint {
    const src = this.src;
    const start = this.i;
    let i = start;
    if (src.charCodeAt(i) === 45) i++;
    const intStart = i;
    let c = src.charCodeAt(i);
    if (c === 48) {
      i++;
    } else if (c >= 49 && c <= 57) {
      do c = src.charCodeAt(++i);
      while (c >= 48 && c <= 57);
    } else {
      this.i = i;
      this.fail("No number after minus sign");
    }
    const intDigits = i - intStart;
    let integer = true;
    c = src.charCodeAt(i);
    if (c === 46) {
      integer = false;
      i = this.digits(i + 1, "Unterminated fractional number");
      c = src.charCodeAt(i);
    }
    if (c === 101 || c === 69) {
      integer = false;
      i++;
      c = src.charCodeAt(i);
      if (c === 43 || c === 45) i++;
      i = this.digits(i, "Exponent part is missing a number");
    }
    this.i = i;
    const literal = src.slice(start, i);
    if (integer && intDigits > 15) {
      const big = BigInt(literal);
      return big >= -9007199254740991n && big <= 9007199254740991n ? Number(big) : big;
    }
    return Number(literal);
  }

  private digits(from: number, message: string): number {
    let i = from;
    let c = this.src.charCodeAt(i);
    if (!(c >= 48 && c <= 57)) {
      this.i = i;
      this.fail(message);
    }
    while (c >= 48 && c <= 57) c = this.src.charCodeAt(++i);
    return i;
  }
}

/**
 * Canonical decimal text of an int64 given as a safe-integer number, a bigint or a numeric
 * string; `undefined` when the value is not an exact int64.
 */
export function toInt64String(value: JsonValue | undefined): string | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : undefined;
  if (typeof value === "bigint") return value >= INT64_MIN && value <= INT64_MAX ? value.toString() : undefined;
  if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) {
    const big = BigInt(value);
    return big >= INT64_MIN && big <= INT64_MAX ? big.toString() : undefined;
  }
  return undefined;
}

/**
 * Canonical decimal text of an int64 written as a JSON integer (a safe-integer number or a
 * bigint); `undefined` for anything else, a numeric string included: the documents type int64
 * fields as `integer`, so a quoted id is not one.
 */
export function int64OfJsonInteger(value: JsonValue | undefined): string | undefined {
  return typeof value === "number" || typeof value === "bigint" ? toInt64String(value) : undefined;
}

/**
 * `JSON.stringify` for response bodies, writing `bigint` as a bare JSON number so that int64
 * ids reach clients exactly as Amazon sends them. `undefined` properties are omitted.
 */
export function stringifyJson(value: unknown): string {
  switch (typeof value) {
    case "bigint":
      return value.toString();
    case "string":
    case "number":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : stringifyJson(v))).join(",")}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined) parts.push(`${JSON.stringify(k)}:${stringifyJson(v)}`);
      }
      return `{${parts.join(",")}}`;
    }
    default:
      return "null";
  }
}
