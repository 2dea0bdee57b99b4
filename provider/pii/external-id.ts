/**
 * Stable `externalId` per person. Amazon keys hashed records by externalId: re-sending one
 * overwrites it, and audience membership and removals address it (`/EXTERNAL_USER_ID-<id>/...`).
 * So the same person must get the same id on every run, from either
 *  - an id column (validated against the API pattern), or
 *  - HMAC-SHA256 under a secret key of the person's SHA-256 email hash (else phone hash).
 *
 * The HMAC input is the *hash* of the normalised value, not the value itself, so a raw CSV and
 * its pre-hashed twin derive identical ids. The key keeps the id from being a plain hash that
 * anyone could compute from an email.
 *
 * **The key must stay constant** for the life of every audience built with it: a new key gives
 * every person a new id, so earlier uploads can no longer be overwritten or removed by id.
 */
import * as crypto from "node:crypto";
import { EXTERNAL_ID_MAX_LENGTH, EXTERNAL_ID_PATTERN } from "../api-vocabulary";

/** Amazon's externalId pattern (hashed-records API). */
export { EXTERNAL_ID_PATTERN };
const EXTERNAL_ID_CHARS = /^[0-9a-zA-Z_-]*$/;
const MAX_EXTERNAL_ID_LENGTH = EXTERNAL_ID_MAX_LENGTH;

export type ExternalIdFailureCode = "external-id-empty" | "external-id-too-long" | "external-id-bad-characters";

export type ExternalIdCheck =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly code: ExternalIdFailureCode; readonly reason: string };

/** Validates an id taken from the input's id column (surrounding whitespace is ignored). */
export function validateExternalId(raw: string): ExternalIdCheck {
  const value = raw.trim();
  if (value === "") return { ok: false, code: "external-id-empty", reason: "external id is empty" };
  if (value.length > MAX_EXTERNAL_ID_LENGTH) {
    return { ok: false, code: "external-id-too-long", reason: `external id is longer than ${MAX_EXTERNAL_ID_LENGTH} characters` };
  }
  if (!EXTERNAL_ID_CHARS.test(value)) {
    return { ok: false, code: "external-id-bad-characters", reason: "external id has characters other than 0-9 a-z A-Z _ -" };
  }
  return { ok: true, value };
}

export type ExternalIdEncoding = "base64url" | "hex";

/** How externalIds are derived when the input has no id column. */
export interface ExternalIdOptions {
  /**
   * Secret HMAC key, at least 16 bytes (a string counts its UTF-8 bytes). Required when the
   * input has no id column. Keep it in a secret store and never change it for an audience:
   * see the module comment.
   */
  readonly externalIdKey?: string | Uint8Array;
  /** Encoding of the HMAC digest; both use only characters the API allows. @default "base64url" */
  readonly externalIdEncoding?: ExternalIdEncoding;
  /**
   * Characters kept from the encoded digest: 16–43 for base64url (6 bits each), 16–64 for hex
   * (4 bits each). The default 32 base64url characters carry 192 bits, so collisions among
   * millions of people are out of the question.
   * @default 32
   */
  readonly externalIdLength?: number;
}

export const MIN_EXTERNAL_ID_KEY_BYTES = 16;
const MAX_LENGTH: Readonly<Record<ExternalIdEncoding, number>> = { base64url: 43, hex: 64 };
const MIN_DERIVED_LENGTH = 16;

/** Derives an id from the email hash, else the phone hash; undefined when both are absent. */
export type ExternalIdDeriver = (emailSha256: string | undefined, phoneSha256: string | undefined) => string | undefined;

/** Validates the options once (configuration errors throw) and returns a fast deriver. */
export function createExternalIdDeriver(options: ExternalIdOptions): ExternalIdDeriver {
  const { externalIdKey: key } = options;
  if (key === undefined) throw new TypeError("externalIdKey is required to derive externalIds");
  const keyBytes = typeof key === "string" ? Buffer.from(key, "utf8") : Buffer.from(key);
  if (keyBytes.length < MIN_EXTERNAL_ID_KEY_BYTES) {
    throw new RangeError(`externalIdKey must be at least ${MIN_EXTERNAL_ID_KEY_BYTES} bytes`);
  }
  const encoding = options.externalIdEncoding ?? "base64url";
  if (encoding !== "base64url" && encoding !== "hex") throw new RangeError('externalIdEncoding must be "base64url" or "hex"');
  const length = options.externalIdLength ?? 32;
  if (!Number.isInteger(length) || length < MIN_DERIVED_LENGTH || length > MAX_LENGTH[encoding]) {
    throw new RangeError(`externalIdLength must be an integer from ${MIN_DERIVED_LENGTH} to ${MAX_LENGTH[encoding]} for ${encoding}`);
  }
  const hmac = keyedSha256(keyBytes);
  // Domain separation: an email hash and a phone hash never feed the same HMAC input.
  return (emailSha256, phoneSha256) => {
    const input = emailSha256 !== undefined ? `email:${emailSha256}` : phoneSha256 !== undefined ? `phone:${phoneSha256}` : undefined;
    if (input === undefined) return undefined;
    return hmac(input, encoding).slice(0, length);
  };
}

const SHA256_BLOCK_BYTES = 64;
const SHA256_DIGEST_BYTES = 32;
const IPAD = 0x36;
const OPAD = 0x5c;

/**
 * HMAC-SHA256 (RFC 2104) under one key, with the key's padded blocks built once: per call it is
 * two one-shot hashes, H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), byte-identical to
 * `createHmac("sha256", key)`, which instead sets up a KeyObject on every call (~30 % of a row's
 * CPU in `node --cpu-prof`). Exported for the test that compares the two.
 *
 * When every key byte is ASCII (a key typed as text), K ⊕ ipad is ASCII too, so its UTF-8 is
 * itself and the inner hash takes one string: `crypto.hash` over a string costs about half
 * what it costs over a Buffer view, and no digest Buffer is allocated (the inner digest comes
 * back as a latin1 string and is written into the outer block).
 */
export function keyedSha256(key: Uint8Array): (message: string, encoding: ExternalIdEncoding) => string {
  const block = Buffer.alloc(SHA256_BLOCK_BYTES);
  if (key.length > SHA256_BLOCK_BYTES) crypto.createHash("sha256").update(key).digest().copy(block);
  else block.set(key);
  const outer = Buffer.alloc(SHA256_BLOCK_BYTES + SHA256_DIGEST_BYTES);
  for (let i = 0; i < SHA256_BLOCK_BYTES; i++) outer[i] = (block[i] as number) ^ OPAD;
  let inner = Buffer.alloc(SHA256_BLOCK_BYTES + 256);
  for (let i = 0; i < SHA256_BLOCK_BYTES; i++) inner[i] = (block[i] as number) ^ IPAD;
  const hash = oneShot;
  if (hash !== undefined && inner.subarray(0, SHA256_BLOCK_BYTES).every((byte) => byte < 0x80)) {
    const innerPad = inner.toString("latin1", 0, SHA256_BLOCK_BYTES);
    return (message, encoding) => {
      outer.write(hash("sha256", innerPad + message, "latin1") as string, SHA256_BLOCK_BYTES, "latin1");
      return hash("sha256", outer, encoding) as string;
    };
  }
  return (message, encoding) => {
    const bytes = Buffer.byteLength(message, "utf8");
    if (SHA256_BLOCK_BYTES + bytes > inner.length) {
      const grown = Buffer.alloc(SHA256_BLOCK_BYTES + bytes);
      inner.copy(grown, 0, 0, SHA256_BLOCK_BYTES);
      inner = grown;
    }
    inner.write(message, SHA256_BLOCK_BYTES, "utf8");
    sha256Into(inner.subarray(0, SHA256_BLOCK_BYTES + bytes), outer, SHA256_BLOCK_BYTES);
    return sha256Encoded(outer, encoding);
  };
}

type BufferHash = (algorithm: string, data: Uint8Array | string, outputEncoding: "buffer" | "latin1" | ExternalIdEncoding) => Buffer | string;
const oneShot = typeof crypto.hash === "function" ? (crypto.hash as unknown as BufferHash) : undefined;

function sha256Into(data: Uint8Array, target: Buffer, offset: number): void {
  const digest = oneShot !== undefined ? (oneShot("sha256", data, "buffer") as Buffer) : crypto.createHash("sha256").update(data).digest();
  digest.copy(target, offset);
}

function sha256Encoded(data: Uint8Array, encoding: ExternalIdEncoding): string {
  return oneShot !== undefined ? (oneShot("sha256", data, encoding) as string) : crypto.createHash("sha256").update(data).digest(encoding);
}

/** One-off derivation; prefer {@link createExternalIdDeriver} in loops. */
export function deriveExternalId(
  hashes: { readonly email?: string; readonly phone?: string },
  options: ExternalIdOptions,
): string | undefined {
  return createExternalIdDeriver(options)(hashes.email, hashes.phone);
}
