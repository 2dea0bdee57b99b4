/**
 * `dsp:metadataRequestsPerSecond`: the audience-metadata rate the client keeps to (create, read,
 * update of audiences). Amazon documents 1 request/s, the default; raise it only for an account
 * whose limit Amazon raised, or against a simulator started with a higher limit.
 */
import { DEFAULT_LANE_LIMITS, type LaneLimits } from "../client";
import { readSetting, type ConfigLookup } from "./dsp-settings";

/** Requests in flight at most, however high the rate: the engine creates resources in parallel. */
const MAX_CONCURRENCY = 32;

/**
 * The metadata lane's limits when the setting is given, else undefined (the client's defaults).
 * @throws Error naming the setting when it is not a number above 0
 */
export function resolveMetadataLane(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): Partial<LaneLimits> | undefined {
  const raw = readSetting("metadataRequestsPerSecond", config, env);
  if (raw === undefined) return undefined;
  const rate = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(rate > 0) || !Number.isFinite(rate)) {
    throw new Error(`dsp:metadataRequestsPerSecond must be a number of requests per second above 0 (got ${JSON.stringify(raw)})`);
  }
  // The adaptive spacing margin keeps the default lane's share of each interval (15 ms of 1 s to
  // start, 400 ms at most), so a faster lane is not slowed by a margin sized for 1 request/s.
  const defaults = DEFAULT_LANE_LIMITS.metadata;
  const scale = defaults.ratePerSecond / rate;
  return {
    ratePerSecond: rate,
    spacingMarginMs: defaults.spacingMarginMs * scale,
    maxSpacingMarginMs: (defaults.maxSpacingMarginMs ?? defaults.spacingMarginMs) * scale,
    spacingMarginWidenMs: (defaults.spacingMarginWidenMs ?? 0) * scale,
    spacingMarginNarrowMs: (defaults.spacingMarginNarrowMs ?? 0) * scale,
    maxConcurrency: Math.min(MAX_CONCURRENCY, Math.max(2, Math.ceil(rate))),
  };
}
