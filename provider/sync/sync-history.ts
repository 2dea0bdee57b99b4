/**
 * The history a sync record keeps: one entry per sync (when, what Amazon accepted, which requests
 * carried it, what stayed in doubt, the applied set after it), for the history retention
 * (`dsp:historyRetentionDays`). Bounded: entries older than the retention are dropped, at most
 * {@link MAX_HISTORY_ENTRIES} are kept, and a sync's request ids beyond
 * {@link MAX_INLINE_REQUEST_IDS} are kept as a snapshot (a set in the store) named by its digest.
 * The applied digests of consecutive entries give, per ID, the sync that added or removed it.
 */
import { idSetFrom } from "../plan";
import type { SnapshotStore } from "../snapshots";

/** One sync, as its record keeps it. */
export interface SyncHistoryEntry {
  /** ISO time the answers were in. */
  at: string;
  attempt: string;
  /** IDs (or records) Amazon accepted as adds and as removes. */
  adds: number;
  removes: number;
  requests: number;
  /** Request ids of the accepted requests, the first {@link MAX_INLINE_REQUEST_IDS}. */
  requestIds: string[];
  /** When there were more: the digest of the set of all of them in the snapshot store. */
  requestIdsDigest?: string;
  /**
   * IDs left in doubt by an earlier sync that this one sent again, by the direction the desired set
   * then wanted (absent: none). Counted as planned; what Amazon accepted is in `adds`/`removes`.
   */
  resent?: { adds: number; removes: number };
  /** IDs whose outcome the answers did not prove. */
  inDoubt: number;
  /** The applied set after the sync. */
  appliedDigest: string;
  /** The sync stopped part-way (what it recorded is above). */
  failed?: true;
}

/** What a sync did, with every request id. */
export type SyncSummaryForHistory = Omit<SyncHistoryEntry, "requestIds" | "requestIdsDigest"> & { requestIds: readonly string[] };

/** A year of four syncs a day fits; older entries go first. */
export const MAX_HISTORY_ENTRIES = 1_500;
/** Request ids kept in the record itself; the rest go to a snapshot. */
export const MAX_INLINE_REQUEST_IDS = 20;

/** The entry for one sync: request ids beyond the inline limit are stored as a set. */
export async function historyEntry(store: SnapshotStore, sync: SyncSummaryForHistory): Promise<SyncHistoryEntry> {
  const { requestIds, ...rest } = sync;
  const entry: SyncHistoryEntry = { ...rest, requestIds: requestIds.slice(0, MAX_INLINE_REQUEST_IDS) };
  if (requestIds.length > MAX_INLINE_REQUEST_IDS) entry.requestIdsDigest = await store.put(idSetFrom(requestIds));
  return entry;
}

/** `history` with `entry` appended, without entries older than the retention, at most MAX_HISTORY_ENTRIES. Pure. */
export function appendHistory(history: unknown, entry: SyncHistoryEntry, nowMs: number, retentionMs: number): SyncHistoryEntry[] {
  return [...keptHistory(history, nowMs, retentionMs), entry].slice(-MAX_HISTORY_ENTRIES);
}

/** The entries of `history` (as read from a record) within the retention. Pure. */
export function keptHistory(history: unknown, nowMs: number, retentionMs: number): SyncHistoryEntry[] {
  if (!Array.isArray(history)) return [];
  return (history as SyncHistoryEntry[]).filter((e) => typeof e?.at === "string" && nowMs - Date.parse(e.at) < retentionMs);
}
