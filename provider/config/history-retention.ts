/**
 * `dsp:historyRetentionDays`: how long sync records keep the history of each sync (time, +N −M,
 * request ids), and how long the record of a deleted membership or audience is kept before it is
 * removed.
 */
import { readSetting, type ConfigLookup } from "./dsp-settings";

/** @default 90 days */
export const DEFAULT_HISTORY_RETENTION_DAYS = 90;

/** Ten years: more is a typo, not a policy. */
const MAX_HISTORY_RETENTION_DAYS = 3650;

const DAY_MS = 86_400_000;

/**
 * The retention in milliseconds, from stack config or `DSP_HISTORY_RETENTION_DAYS`.
 * @throws Error naming the setting when it is not a whole number of days from 1 to 3650
 */
export function resolveHistoryRetentionMs(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): number {
  const raw = readSetting("historyRetentionDays", config, env);
  if (raw === undefined) return DEFAULT_HISTORY_RETENTION_DAYS * DAY_MS;
  const days = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || days < 1 || days > MAX_HISTORY_RETENTION_DAYS) {
    throw new Error(`dsp:historyRetentionDays must be a whole number of days from 1 to ${MAX_HISTORY_RETENTION_DAYS} (got ${JSON.stringify(raw)})`);
  }
  return days * DAY_MS;
}
