/**
 * Sync records do not pile up: when the resource a record belongs to is deleted, the record is
 * marked `retiredAt` (it keeps its history), and once the history retention has passed and nothing
 * in it is in doubt, a sweep removes it. A record written again (its target managed anew) loses
 * the mark.
 */
import type { SnapshotStore } from "../snapshots";
import { holderOf, holderState, isHeldHere, type HoldEnvironment, type HoldTiming } from "./sync-hold";

/** What a retired record carries. */
export interface Retired {
  /** ISO time its resource was deleted. */
  retiredAt?: string;
}

/**
 * True when the record leaves something in doubt: a send whose answers are not in, IDs or records
 * in doubt, or metadata fields in doubt. Pure.
 */
export function leavesDoubt(record: unknown): boolean {
  const r = record as { stage?: unknown; inDoubtCount?: unknown; fields?: unknown };
  return r.stage === "sending" || (typeof r.inDoubtCount === "number" && r.inDoubtCount > 0) || (Array.isArray(r.fields) && r.fields.length > 0);
}

/** True when a sweep at `nowMs` removes the record: retired longer ago than the retention, nothing in doubt. Pure. */
export function isExpired(record: unknown, nowMs: number, retentionMs: number): boolean {
  if (record === null || typeof record !== "object") return false;
  const retiredAt = (record as Retired).retiredAt;
  if (typeof retiredAt !== "string") return false;
  const retired = Date.parse(retiredAt);
  return Number.isFinite(retired) && nowMs - retired >= retentionMs && !leavesDoubt(record);
}

/** Marks record `name` retired at `at`, when there is one (no hold: its resource is gone). */
export async function retireRecord(store: SnapshotStore, name: string, at: Date): Promise<void> {
  const record = await store.readRecord(name);
  if (record === null || typeof record !== "object") return;
  await store.writeRecord(name, { ...(record as object), retiredAt: at.toISOString() });
}

/**
 * Removes every expired record (see {@link isExpired}) among those named with one of `prefixes`
 * (the sync records of the resource kinds; other records are left alone) that nobody holds, and
 * returns their names. Each record is read just before it is removed, so one written since it was
 * listed is kept.
 */
export async function sweepRetiredRecords(store: SnapshotStore, env: HoldEnvironment, timing: Pick<HoldTiming, "staleMs">, retentionMs: number, prefixes: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const prefix of prefixes) {
    for (const name of await store.listRecords(prefix)) {
      if (isHeldHere(name)) continue;
      const record = await store.readRecord(name);
      if (!isExpired(record, env.clock.now(), retentionMs) || holderState(name, holderOf(record), env, timing).live) continue;
      await store.deleteRecord(name);
      removed.push(name);
    }
  }
  return removed;
}
