/**
 * Deterministic match model for COOKIE and MAID records (see README "Match model").
 *
 * Amazon reports only audience-level counts of records that matched an Amazon identity. The
 * simulator decides per record with a seeded hash so that counts are reproducible: a record
 * matches when FNV-1a (32 bit) over the UTF-8 bytes of `seed + "\0" + type + "\0" + value`,
 * mixed by murmur3's fmix32 and divided by 2^32, is below the type's rate. EXTERNAL_USER_ID
 * matching depends on uploaded hashed records and lives in the store.
 */
import { utf8Bytes } from "./byte-string-set";
import type { MatchRates } from "./options";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(state: number, src: Uint8Array, start: number, end: number): number {
  let h = state;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (src[i] as number), FNV_PRIME);
  return h;
}

/** murmur3 fmix32: spreads FNV's weak low bits over the whole word. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function prefixState(seed: string, type: string): number {
  const prefix = Buffer.from(`${seed}\0${type}\0`, "utf8");
  return fnv1a(FNV_OFFSET, prefix, 0, prefix.length);
}

/** The model's score of one record, uniform in [0, 1). Exported for tests and documentation. */
export function matchScore(seed: string, type: "COOKIE" | "MAID", value: string): number {
  const bytes = Buffer.from(value, "utf8");
  return mix(fnv1a(prefixState(seed, type), bytes, 0, bytes.length)) / 2 ** 32;
}

export interface MatchModel {
  /** Whether a COOKIE or MAID record, given as UTF-8 bytes `src[start..end)`, counts as matched. */
  matchesBytes(type: "COOKIE" | "MAID", src: Uint8Array, start: number, end: number): boolean;
  matches(type: "COOKIE" | "MAID", value: string): boolean;
}

export function createMatchModel(seed: string, rates: Required<MatchRates>): MatchModel {
  // Hash the constant prefix once; per record only the value is hashed.
  const cookiePrefix = prefixState(seed, "COOKIE");
  const maidPrefix = prefixState(seed, "MAID");
  // Compare integers, not floats: score < rate  <=>  hash < rate * 2^32.
  const cookieLimit = rates.cookie * 2 ** 32;
  const maidLimit = rates.maid * 2 ** 32;
  const matchesBytes: MatchModel["matchesBytes"] = (type, src, start, end) => {
    const cookie = type === "COOKIE";
    return mix(fnv1a(cookie ? cookiePrefix : maidPrefix, src, start, end)) < (cookie ? cookieLimit : maidLimit);
  };
  return {
    matchesBytes,
    matches(type, value) {
      const { bytes, length } = utf8Bytes(value);
      return matchesBytes(type, bytes, 0, length);
    },
  };
}
