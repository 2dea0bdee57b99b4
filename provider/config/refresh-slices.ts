/**
 * `dsp:refreshSlices`: a `pulumi refresh` of a large catalog reads one slice of its audiences
 * instead of all of them (one metadata GET each, 1 request/s: about 17 minutes for 1,000). The
 * value is the number of slices, optionally per period: `7` (or `7/day`) reads a seventh each UTC
 * day, so that a daily drift check reads every audience once a week; `24/hour` a 24th each hour.
 * Unset or `1`: every refresh reads every audience.
 */
import { readSetting, type ConfigLookup } from "./dsp-settings";

/** How a refresh divides the catalog. */
export interface RefreshSlicing {
  /** Number of slices, ≥ 1. */
  readonly slices: number;
  /** How long each slice's turn lasts, in ms (one UTC day, or one hour). */
  readonly periodMs: number;
  /** The period's name, for messages. */
  readonly period: "day" | "hour";
}

const PERIOD_MS = { day: 86_400_000, hour: 3_600_000 } as const;

/** More slices than this is a typo: a slice's turn would come round less than once a year of days. */
export const MAX_REFRESH_SLICES = 366;

/**
 * The slicing the setting asks for; undefined when unset or 1 (every audience every time).
 * @throws Error naming the setting when it is not `N`, `N/day` or `N/hour` with N from 1 to 366
 */
export function resolveRefreshSlicing(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): RefreshSlicing | undefined {
  const raw = readSetting("refreshSlices", config, env);
  if (raw === undefined) return undefined;
  const m = /^(\d+)(?:\s*\/\s*(day|hour))?$/.exec(raw.trim());
  const slices = m ? Number(m[1]) : NaN;
  if (!m || !(slices >= 1 && slices <= MAX_REFRESH_SLICES)) {
    throw new Error(`dsp:refreshSlices must be a whole number of slices from 1 to ${MAX_REFRESH_SLICES}, optionally "/day" or "/hour" (got ${JSON.stringify(raw)})`);
  }
  if (slices === 1) return undefined;
  const period = (m[2] ?? "day") as "day" | "hour";
  return { slices, periodMs: PERIOD_MS[period], period };
}
