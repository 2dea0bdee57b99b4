/**
 * int64 values (advertiser and audience ids) exceed 2^53, so they travel as decimal strings and
 * are compared as bigints, never as JavaScript numbers.
 */

/** Largest int64: 2^63 - 1. */
export const INT64_MAX = 9223372036854775807n;

/** True for a decimal digit string whose value fits a positive int64 (1..2^63-1). */
export function isPositiveInt64Text(text: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(text) && BigInt(text) <= INT64_MAX;
}

/**
 * The exact digits of an int64 field: strings are already exact; a YAML integer's digits come
 * from its YAML node (`exactDigits`) because the plain-data number may have lost some.
 */
export function int64Text(value: string | number, exactDigits: string | undefined): string {
  return typeof value === "string" ? value : (exactDigits ?? String(value));
}
