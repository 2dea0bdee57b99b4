/**
 * A stack's sync history: each sync of each membership (time, what Amazon accepted, the in-doubt
 * IDs it re-sent, its requests and their request ids), and for one ID the syncs that added and
 * removed it. Pure: it takes the sync records' history entries (and, for an ID, whether each
 * entry's applied set holds it) and returns plain data, which `render-history.ts` turns into
 * Markdown and the command writes as JSON. The ID itself is never part of the report.
 */
import type { SyncHistoryEntry } from "../sync/sync-history";

/** Identifies the JSON format; bump on incompatible changes. */
export const HISTORY_FORMAT = "dsp-audiences/history@1" as const;

/** One membership's sync record, as the command found it. */
export interface MembershipHistorySource {
  /** The spec key of the membership that last wrote the record. */
  readonly key: string;
  readonly idType: string;
  readonly audienceId: string;
  /** ISO time the membership was deleted, when it was. */
  readonly retiredAt?: string;
  /** A sync had started and its answers are not recorded (a running or interrupted up). */
  readonly unanswered: boolean;
  /** The record's entries, oldest first. */
  readonly entries: readonly SyncHistoryEntry[];
}

/** One sync, as the report shows it. */
export interface SyncReport {
  /** ISO time the answers were in. */
  readonly at: string;
  /** IDs Amazon accepted as adds and as removes. */
  readonly adds: number;
  readonly removes: number;
  /** In-doubt IDs of an earlier sync sent again, by direction; absent when none. */
  readonly resent?: { readonly adds: number; readonly removes: number };
  readonly requests: number;
  /** Request ids of the accepted requests: every one when `requestIdsComplete`, else the first ones kept in the record. */
  readonly requestIds: readonly string[];
  /** False when the record kept only the first request ids and the rest could not be read. */
  readonly requestIdsComplete: boolean;
  /** IDs the answers did not prove applied or removed (sent again by the next up). */
  readonly inDoubt: number;
  /** The sync stopped part-way. */
  readonly failed: boolean;
}

/** One membership's syncs, newest first. */
export interface MembershipReport {
  readonly key: string;
  readonly idType: string;
  readonly audienceId: string;
  readonly retiredAt?: string;
  readonly unanswered: boolean;
  /** Syncs in the record (within the history retention), before `--last` cut them. */
  readonly syncCount: number;
  readonly syncs: readonly SyncReport[];
}

/** What happened to the ID in one sync. */
export interface IdChange {
  /**
   * `added`/`removed`: this sync's applied set has it and the previous one's did not, or the
   * reverse. `present`: the oldest kept sync's applied set has it (it was added then or before).
   * `unknown`: the applied set of this sync cannot be read (its snapshot is missing).
   */
  readonly change: "added" | "removed" | "present" | "unknown";
  readonly at: string;
  /** The sync's request ids (the request that carried this ID is one of them; Amazon answers per request, not per ID). */
  readonly requestIds: readonly string[];
  readonly requestIdsComplete: boolean;
  readonly requests: number;
  /** The sync stopped part-way (the change is what its answers proved). */
  readonly failed: boolean;
}

/** The ID's story in one membership. */
export interface IdTimeline {
  readonly key: string;
  readonly idType: string;
  readonly audienceId: string;
  /** Oldest first. */
  readonly changes: readonly IdChange[];
  /** Whether the latest kept sync's applied set has it; undefined when no sync is kept or its set cannot be read. */
  readonly memberNow: boolean | undefined;
}

/** The report of one ID, given on the command line and never repeated. */
export interface IdReport {
  /** The memberships searched (those whose ID type the value is valid for), with what happened in each. */
  readonly memberships: readonly IdTimeline[];
  /** ID types the value is not a valid ID of, so memberships of those types were not searched. */
  readonly notValidFor: readonly string[];
}

export interface HistoryReport {
  readonly format: typeof HISTORY_FORMAT;
  readonly stack?: string;
  /** Where the sync records were read (a folder or an s3:// URL). */
  readonly store: string;
  /** Memberships of the stack's audiences with a sync record, by key then ID type. */
  readonly memberships: readonly MembershipReport[];
  /** Present when an ID was asked about. */
  readonly id?: IdReport;
}

/** An entry's request ids: the inline ones in order, then the rest from the stored set when it was read. */
export interface RequestIds {
  readonly ids: readonly string[];
  readonly complete: boolean;
}

/** The request ids of an entry; `stored` is the full set the record names by digest, when read. Pure. */
export function requestIdsOf(entry: SyncHistoryEntry, stored: readonly string[] | undefined): RequestIds {
  if (entry.requestIdsDigest === undefined) return { ids: entry.requestIds, complete: true };
  if (stored === undefined) return { ids: entry.requestIds, complete: false };
  const inline = new Set(entry.requestIds);
  return { ids: [...entry.requestIds, ...stored.filter((id) => !inline.has(id))], complete: true };
}

/** One entry as a report row. Pure. */
export function syncReportOf(entry: SyncHistoryEntry, requestIds: RequestIds): SyncReport {
  return {
    at: entry.at,
    adds: entry.adds,
    removes: entry.removes,
    ...(entry.resent === undefined || entry.resent.adds + entry.resent.removes === 0 ? {} : { resent: { adds: entry.resent.adds, removes: entry.resent.removes } }),
    requests: entry.requests,
    requestIds: requestIds.ids,
    requestIdsComplete: requestIds.complete,
    inDoubt: entry.inDoubt,
    failed: entry.failed === true,
  };
}

/** Options of {@link membershipReport}. */
export interface MembershipReportOptions {
  /** Only the newest this many syncs. @default all */
  readonly last?: number;
  /** The request ids of each entry (by index into `entries`). @default the inline ones */
  readonly requestIds?: (index: number) => RequestIds;
}

/** One membership's syncs, newest first. Pure. */
export function membershipReport(source: MembershipHistorySource, options: MembershipReportOptions = {}): MembershipReport {
  const ids = options.requestIds ?? ((i: number) => requestIdsOf(source.entries[i] as SyncHistoryEntry, undefined));
  const first = options.last === undefined ? 0 : Math.max(0, source.entries.length - options.last);
  const syncs: SyncReport[] = [];
  for (let i = source.entries.length - 1; i >= first; i--) syncs.push(syncReportOf(source.entries[i] as SyncHistoryEntry, ids(i)));
  return {
    key: source.key,
    idType: source.idType,
    audienceId: source.audienceId,
    ...(source.retiredAt === undefined ? {} : { retiredAt: source.retiredAt }),
    unanswered: source.unanswered,
    syncCount: source.entries.length,
    syncs,
  };
}

/**
 * What happened to one ID in one membership, from whether each entry's applied set has it
 * (`presence[i]`, undefined when that set cannot be read): a change wherever two consecutive
 * readable sets disagree; `present` when the oldest readable set has it, as nothing says when it
 * came before that; `unknown` once per run of unreadable sets. Pure.
 */
export function idTimeline(source: MembershipHistorySource, presence: readonly (boolean | undefined)[], requestIds: (index: number) => RequestIds): IdTimeline {
  const changes: IdChange[] = [];
  let previous: boolean | undefined;
  let known = false;
  source.entries.forEach((entry, i) => {
    const here = presence[i];
    const change = (kind: IdChange["change"]): void => {
      const ids = requestIds(i);
      changes.push({ change: kind, at: entry.at, requestIds: ids.ids, requestIdsComplete: ids.complete, requests: entry.requests, failed: entry.failed === true });
    };
    if (here === undefined) {
      if (known || i === 0) change("unknown");
      known = false;
      previous = undefined;
      return;
    }
    if (previous === undefined) {
      if (here) change("present");
    } else if (here !== previous) {
      change(here ? "added" : "removed");
    }
    previous = here;
    known = true;
  });
  return { key: source.key, idType: source.idType, audienceId: source.audienceId, changes, memberNow: previous };
}

/** Memberships in a stable order: key, then ID type. Pure. */
export function byKeyAndType<T extends { key: string; idType: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.key === b.key ? a.idType.localeCompare(b.idType) : a.key.localeCompare(b.key)));
}
