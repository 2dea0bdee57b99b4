/**
 * The providers' side of sync-record holds, history and retention, with a provider context: its
 * hold environment and timing, the lines a wait writes to its log, and one sweep of retired
 * records per store and context (a context lives as long as its provider process).
 */
import { resolveHistoryRetentionMs } from "../config/history-retention";
import { sweepRetiredRecords } from "../sync/record-retention";
import { awaitRelease, SyncHold, type HoldEnvironment, type HoldTiming } from "../sync/sync-hold";
import type { ProviderContext } from "./provider-context";

/** The time records are written at. */
export function recordTime(context: ProviderContext): Date {
  return new Date(context.holds.env.clock.now());
}

/** The history retention in ms: the spec's `historyRetentionDays` (from a resource's inputs), else `dsp:historyRetentionDays`, else 90 days. */
export function historyRetentionMs(context: ProviderContext, fromSpec?: number): number {
  return resolveHistoryRetentionMs(context.config, process.env, fromSpec);
}

function waitOptions(context: ProviderContext, subject: string, urn: string | undefined): { env: HoldEnvironment; timing: HoldTiming; subject: string; say(line: string): Promise<void> } {
  return { env: context.holds.env, timing: context.holds.timing, subject, say: (line) => context.log.log("info", line, urn) };
}

/** Record `name` once nobody else is syncing it (a preview plans from a record that no longer moves). */
export function recordAtRest(context: ProviderContext, name: string, subject: string, urn: string | undefined): Promise<unknown> {
  return awaitRelease(context.store(), name, waitOptions(context, subject, urn));
}

/** Holds record `name` for a sync by this process, once nobody else is syncing it. */
export function holdRecord(context: ProviderContext, name: string, subject: string, urn: string | undefined): Promise<SyncHold> {
  return SyncHold.take(context.store(), name, {
    ...waitOptions(context, subject, urn),
    onHeartbeatError: (error) => void context.log.log("warning", `${subject}: could not renew the hold on records/${name}.json: ${error.message}`, urn),
  });
}

/**
 * Removes the records of deleted memberships, uploads and audiences whose retention has passed
 * (the calling resource's, see {@link historyRetentionMs}), once per store and context (after a
 * sync, never in a preview). A failure is a warning: the next up tries again.
 */
export async function sweepRetiredOnce(context: ProviderContext, retentionDaysFromSpec?: number): Promise<void> {
  const store = context.store();
  if (context.swept.has(store.location)) return;
  context.swept.add(store.location);
  try {
    const removed = await sweepRetiredRecords(store, context.holds.env, context.holds.timing, historyRetentionMs(context, retentionDaysFromSpec));
    if (removed.length > 0) {
      await context.log.log("info", `removed ${removed.length} sync record${removed.length === 1 ? "" : "s"} of deleted resources, kept past the history retention: ${removed.join(", ")}`);
    }
  } catch (error) {
    await context.log.log("warning", `could not remove old sync records of deleted resources from ${store.location}: ${(error as Error).message}`);
  }
}
