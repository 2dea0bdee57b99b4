/**
 * `dsp:planMemoryMB`: how much memory the sets of one membership may take while it is planned, in
 * the program and in the provider. A set larger than that is sorted in runs on disk and planned
 * one fingerprint range at a time, so memory stays near the budget whatever the set's size.
 */
import { readSetting, type ConfigLookup } from "./dsp-settings";

/**
 * The default budget, in MB: a 5M-ID membership (~0.2 GB of sets) plans in memory, as fast as
 * before; 20M IDs and more plan in bounded memory.
 */
export const DEFAULT_PLAN_MEMORY_MB = 768;
/**
 * Bytes a plan holds per ID of the sets it reads: the ID itself (~23 B for a cookie), its offset
 * and fingerprint (12 B), and the planning base, selections and request bodies made from them.
 */
export const PLAN_BYTES_PER_ID = 100;

/**
 * The share of the budget each exclusion or suppression list is read within (a larger list is
 * sorted on disk); a membership's members get what its lists leave, so the sets read for one
 * membership stay within the budget together. A quarter keeps a 5M-ID member file with no list,
 * or with one list, in memory at the default budget.
 */
export const REMOVAL_LIST_SHARE = 0.25;

/** Below this a budget only multiplies the files and passes. */
const MIN_PLAN_MEMORY_MB = 1;

/**
 * The budget in bytes, from stack config or `DSP_PLAN_MEMORY_MB`.
 * @throws Error naming the setting when it is not a whole number of MB ≥ 1
 */
export function resolvePlanMemoryBytes(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): number {
  const raw = readSetting("planMemoryMB", config, env);
  if (raw === undefined) return DEFAULT_PLAN_MEMORY_MB * 1e6;
  const mb = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(mb) || mb < MIN_PLAN_MEMORY_MB) {
    throw new Error(`dsp:planMemoryMB must be a whole number of megabytes, at least ${MIN_PLAN_MEMORY_MB} (got ${JSON.stringify(raw)})`);
  }
  return mb * 1e6;
}
