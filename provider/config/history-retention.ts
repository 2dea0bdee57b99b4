/**
 * The history retention: how long sync records keep the history of each sync (time, +N −M,
 * request ids, the applied set after it), and how long the record of a deleted membership, upload
 * or audience is kept before it is removed. One rule, in this order:
 *
 * 1. `settings.historyRetentionDays` in the spec: the spec is the reviewed statement of what the
 *    team keeps about its members, so a stack setting does not quietly shorten or lengthen it.
 * 2. `dsp:historyRetentionDays` in stack config (or `DSP_HISTORY_RETENTION_DAYS`), for specs that
 *    set none and for programs that declare resources without a spec.
 * 3. {@link DEFAULT_HISTORY_RETENTION_DAYS}.
 */
import { readSetting, type ConfigLookup } from "./dsp-settings";

/** @default 90 days */
export const DEFAULT_HISTORY_RETENTION_DAYS = 90;

/** Ten years: more is a typo, not a policy. The spec schema's `historyRetentionDays` has the same bounds. */
export const MAX_HISTORY_RETENTION_DAYS = 3650;

const DAY_MS = 86_400_000;

/**
 * The retention in milliseconds (see the module comment for the order).
 * @param fromSpec `settings.historyRetentionDays`, as the resource's inputs carry it
 * @throws Error naming the setting when it is not a whole number of days from 1 to 3650
 */
export function resolveHistoryRetentionMs(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env, fromSpec?: number): number {
  if (fromSpec !== undefined) {
    if (!Number.isInteger(fromSpec) || fromSpec < 1 || fromSpec > MAX_HISTORY_RETENTION_DAYS) {
      throw new Error(`settings.historyRetentionDays must be a whole number of days from 1 to ${MAX_HISTORY_RETENTION_DAYS} (got ${JSON.stringify(fromSpec)})`);
    }
    return fromSpec * DAY_MS;
  }
  const raw = readSetting("historyRetentionDays", config, env);
  if (raw === undefined) return DEFAULT_HISTORY_RETENTION_DAYS * DAY_MS;
  const days = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || days < 1 || days > MAX_HISTORY_RETENTION_DAYS) {
    throw new Error(`dsp:historyRetentionDays must be a whole number of days from 1 to ${MAX_HISTORY_RETENTION_DAYS} (got ${JSON.stringify(raw)})`);
  }
  return days * DAY_MS;
}
