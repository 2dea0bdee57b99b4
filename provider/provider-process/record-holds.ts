/**
 * The providers' side of sync-record holds, history and retention: this process's hold
 * environment (or a test's, from the overrides), the lines a wait writes to the engine log, and
 * one sweep of retired records per store and process.
 */
import { resolveHistoryRetentionMs } from "../config/history-retention";
import { sweepRetiredRecords } from "../sync/record-retention";
import { awaitRelease, DEFAULT_HOLD_TIMING, processHoldEnvironment, SyncHold, type HoldEnvironment, type HoldTiming } from "../sync/sync-hold";
import type { SnapshotStore } from "../snapshots";
import { engineLog } from "./engine-log";
import { providerConfig, providerOverrides } from "./provider-context";

export function holdEnvironment(): HoldEnvironment {
  return { ...processHoldEnvironment, ...providerOverrides().holds?.env };
}

function holdTiming(): HoldTiming {
  return { ...DEFAULT_HOLD_TIMING, ...providerOverrides().holds?.timing };
}

/** The time records are written at. */
export function recordTime(): Date {
  return new Date(holdEnvironment().clock.now());
}

/** The history retention in ms: the spec's `historyRetentionDays` (from a resource's inputs), else `dsp:historyRetentionDays`, else 90 days. */
export function historyRetentionMs(fromSpec?: number): number {
  return resolveHistoryRetentionMs(providerConfig(), process.env, fromSpec);
}

function waitOptions(subject: string, urn: string | undefined): { env: HoldEnvironment; timing: HoldTiming; subject: string; say(line: string): Promise<void> } {
  return { env: holdEnvironment(), timing: holdTiming(), subject, say: (line) => engineLog().log("info", line, urn) };
}

/** Record `name` once nobody else is syncing it (a preview plans from a record that no longer moves). */
export function recordAtRest(store: SnapshotStore, name: string, subject: string, urn: string | undefined): Promise<unknown> {
  return awaitRelease(store, name, waitOptions(subject, urn));
}

/** Holds record `name` for a sync by this process, once nobody else is syncing it. */
export function holdRecord(store: SnapshotStore, name: string, subject: string, urn: string | undefined): Promise<SyncHold> {
  return SyncHold.take(store, name, {
    ...waitOptions(subject, urn),
    onHeartbeatError: (error) => void engineLog().log("warning", `${subject}: could not renew the hold on records/${name}.json: ${error.message}`, urn),
  });
}

const swept = new Set<string>();

/**
 * Removes the records of deleted memberships, uploads and audiences whose retention has passed
 * (the calling resource's, see {@link historyRetentionMs}), once per store in this process (after
 * a sync, never in a preview). A failure is a warning: the next up tries again.
 */
export async function sweepRetiredOnce(store: SnapshotStore, retentionDaysFromSpec?: number): Promise<void> {
  if (swept.has(store.location)) return;
  swept.add(store.location);
  try {
    const removed = await sweepRetiredRecords(store, holdEnvironment(), holdTiming(), historyRetentionMs(retentionDaysFromSpec));
    if (removed.length > 0) {
      await engineLog().log("info", `removed ${removed.length} sync record${removed.length === 1 ? "" : "s"} of deleted resources, kept past the history retention: ${removed.join(", ")}`);
    }
  } catch (error) {
    await engineLog().log("warning", `could not remove old sync records of deleted resources from ${store.location}: ${(error as Error).message}`);
  }
}

/** Forgets which stores were swept (tests run many "processes" in one). */
export function resetSweeps(): void {
  swept.clear();
}
