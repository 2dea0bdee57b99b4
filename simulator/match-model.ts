/**
 * Deterministic match model for COOKIE and MAID records (see README "Match model").
 *
 * Amazon reports only audience-level counts of records that matched an Amazon identity. The
 * simulator decides per record with a seeded hash so that counts are reproducible: a record
 * matches when `fnv1a32(seed + "\0" + type + "\0" + value)`, mixed by murmur3's finalizer and
 * divided by 2^32, is below the type's rate. EXTERNAL_USER_ID matching depends on uploaded
 * hashed records and lives in the store.
 */
import type { MatchRates } from "./options";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnv1a(state: number, text: string): number {
  let h = state;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), FNV_PRIME);
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

/** The model's score of one record, uniform in [0, 1). Exported for tests and documentation. */
export function matchScore(seed: string, type: "COOKIE" | "MAID", value: string): number {
  return mix(fnv1a(fnv1a(FNV_OFFSET, `${seed}\0${type}\0`), value)) / 2 ** 32;
}

export interface MatchModel {
  /** Whether a COOKIE or MAID record counts as matched. */
  matches(type: "COOKIE" | "MAID", value: string): boolean;
}

export function createMatchModel(seed: string, rates: Required<MatchRates>): MatchModel {
  // Hash the constant prefix once; per record only the value is hashed.
  const cookiePrefix = fnv1a(FNV_OFFSET, `${seed}\0COOKIE\0`);
  const maidPrefix = fnv1a(FNV_OFFSET, `${seed}\0MAID\0`);
  return {
    matches(type, value) {
      const cookie = type === "COOKIE";
      const score = mix(fnv1a(cookie ? cookiePrefix : maidPrefix, value)) / 2 ** 32;
      return score < (cookie ? rates.cookie : rates.maid);
    },
  };
}
