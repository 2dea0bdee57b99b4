/**
 * `dsp:metadataRequestsPerSecond`: the audience-metadata rate the client keeps to (create, read,
 * update of audiences). Amazon documents 1 request/s, the default; raise it only for an account
 * whose limit Amazon raised, or against a simulator started with a higher limit.
 */
import type { LaneLimits } from "../client";
import { readSetting, type ConfigLookup } from "./dsp-settings";

/** Share of each request interval kept as a margin against jitter (100 ms at Amazon's 1 request/s). */
const SPACING_MARGIN_SHARE = 0.1;
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
  return {
    ratePerSecond: rate,
    spacingMarginMs: (1000 / rate) * SPACING_MARGIN_SHARE,
    maxConcurrency: Math.min(MAX_CONCURRENCY, Math.max(2, Math.ceil(rate))),
  };
}
