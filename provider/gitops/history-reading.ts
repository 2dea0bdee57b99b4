/**
 * Reads a stack's sync history from the snapshot store: the membership sync records of the
 * stack's audiences, the request ids a record keeps as a set, and whether an applied set holds one
 * ID. The store I/O around the pure history-report.ts.
 */
import { isIdType, type IdType } from "../api-vocabulary";
import { parseMembershipRecord, type MembershipSyncRecord } from "../membership/membership-record";
import type { SyncHistoryEntry } from "../sync/sync-history";
import { SnapshotCorruptError, SnapshotMissingError, type SnapshotStore } from "../snapshots";
import { canonicalId, ID_SYNTAX_CHECKS } from "../spec/id-syntax";
import {
  byKeyAndType,
  HISTORY_FORMAT,
  idTimeline,
  membershipReport,
  requestIdsOf,
  type HistoryReport,
  type IdTimeline,
  type MembershipHistorySource,
  type RequestIds,
} from "./history-report";
import type { StackResources } from "./stack-export";

/** What to show of a stack's history. */
export interface HistoryQuery {
  /** Only this membership (`key` and ID type). @default every one */
  readonly membership?: { readonly key: string; readonly idType: IdType };
  /** Tell when this ID (as given) was added and removed. @default none */
  readonly id?: string;
  /** Only the newest this many syncs per membership. @default all */
  readonly last?: number;
  /** The stack name, for the title. */
  readonly stack?: string;
}

/** A set could not be read because it is not there or is damaged: the report says "unknown". */
function unreadable(error: unknown): boolean {
  return error instanceof SnapshotMissingError || error instanceof SnapshotCorruptError;
}

/**
 * The membership sync records of the stack's audiences, each under the spec key the stack gives
 * it now (or, for a deleted membership, the key of the membership that last wrote it).
 */
export async function readMembershipHistories(store: SnapshotStore, stack: StackResources): Promise<MembershipHistorySource[]> {
  const audienceIds = new Set([...stack.audiences.map((a) => a.audienceId), ...stack.memberships.map((m) => m.audienceId)]);
  const keyOf = new Map(stack.memberships.map((m) => [`${m.audienceId}/${m.idType}`, m.key]));
  const sources: MembershipHistorySource[] = [];
  for (const name of await store.listRecords("membership-")) {
    const audienceId = /^membership-(\d+)-/.exec(name)?.[1];
    if (audienceId === undefined || !audienceIds.has(audienceId)) continue;
    const record: MembershipSyncRecord | undefined = parseMembershipRecord(store, name, await store.readRecord(name));
    if (record === undefined || record.audienceId !== audienceId || !isIdType(record.idType)) continue;
    const current = keyOf.get(`${audienceId}/${record.idType}`);
    sources.push({
      key: current ?? record.owner,
      idType: record.idType,
      audienceId,
      ...(current === undefined && record.retiredAt !== undefined ? { retiredAt: record.retiredAt } : {}),
      unanswered: record.stage === "sending",
      entries: Array.isArray(record.history) ? record.history : [],
    });
  }
  return byKeyAndType(sources);
}

/** The request ids of each entry, with those a record keeps as a set read from the store (once per digest). */
function requestIdReader(store: SnapshotStore): (entry: SyncHistoryEntry) => Promise<RequestIds> {
  const read = new Map<string, Promise<string[] | undefined>>();
  return async (entry) => {
    const digest = entry.requestIdsDigest;
    if (digest === undefined) return requestIdsOf(entry, undefined);
    let ids = read.get(digest);
    if (ids === undefined) {
      ids = store.get(digest).then(
        (set) => [...set],
        (error: unknown) => {
          if (unreadable(error)) return undefined;
          throw error;
        },
      );
      read.set(digest, ids);
    }
    return requestIdsOf(entry, await ids);
  };
}

/**
 * Whether the set `digest` holds `id` (canonical), reading as little as the store allows: a set
 * stored as a delta answers from its adds and removes, else from its base, down to a whole set.
 * Undefined when a set on the way cannot be read. Answers are kept per digest.
 */
export class IdPresence {
  private readonly known = new Map<string, boolean | undefined>();

  constructor(
    private readonly store: SnapshotStore,
    private readonly id: string,
  ) {}

  async in(digest: string): Promise<boolean | undefined> {
    const chain: string[] = [];
    let current = digest;
    let answer: boolean | undefined;
    try {
      for (;;) {
        if (this.known.has(current)) {
          answer = this.known.get(current);
          break;
        }
        chain.push(current);
        const delta = await this.store.getDelta(current);
        if (delta === undefined) {
          answer = (await this.store.get(current)).has(this.id);
          break;
        }
        if (delta.adds.has(this.id) || delta.removes.has(this.id)) {
          answer = delta.adds.has(this.id);
          break;
        }
        current = delta.baseDigest;
      }
    } catch (error) {
      if (!unreadable(error)) throw error;
      answer = undefined;
    }
    for (const d of chain) this.known.set(d, answer);
    return answer;
  }
}

/** The ID types `value` is a valid ID of, with its canonical form for each. Pure. */
export function idFormsOf(value: string): Map<IdType, string> {
  const forms = new Map<IdType, string>();
  for (const [type, check] of Object.entries(ID_SYNTAX_CHECKS) as Array<[IdType, (id: string) => string | undefined]>) {
    if (check(value) === undefined) forms.set(type, canonicalId(type, value));
  }
  return forms;
}

/** The whole report of a stack's history from its store. */
export async function historyReport(store: SnapshotStore, stack: StackResources, query: HistoryQuery = {}): Promise<HistoryReport> {
  const wanted = query.membership;
  const sources = (await readMembershipHistories(store, stack)).filter((s) => wanted === undefined || (s.key === wanted.key && s.idType === wanted.idType));
  const requestIds = requestIdReader(store);
  const idsOf = async (source: MembershipHistorySource): Promise<RequestIds[]> => Promise.all(source.entries.map((e) => requestIds(e)));
  const memberships = [];
  for (const source of sources) {
    const ids = await idsOf(source);
    memberships.push(membershipReport(source, { ...(query.last === undefined ? {} : { last: query.last }), requestIds: (i) => ids[i] as RequestIds }));
  }
  const base: HistoryReport = { format: HISTORY_FORMAT, ...(query.stack === undefined ? {} : { stack: query.stack }), store: store.location, memberships };
  if (query.id === undefined) return base;
  const forms = idFormsOf(query.id);
  const timelines: IdTimeline[] = [];
  const presences = new Map<string, IdPresence>();
  for (const source of sources) {
    const form = forms.get(source.idType as IdType);
    if (form === undefined) continue;
    let presence = presences.get(form);
    if (presence === undefined) presences.set(form, (presence = new IdPresence(store, form)));
    // One after another: consecutive sets are deltas of each other, so each answer is found from the one before.
    const here: Array<boolean | undefined> = [];
    for (const entry of source.entries) here.push(await presence.in(entry.appliedDigest));
    const ids = await idsOf(source);
    timelines.push(idTimeline(source, here, (i) => ids[i] as RequestIds));
  }
  const searchedTypes = new Set(sources.map((s) => s.idType));
  const notValidFor = [...searchedTypes].filter((t) => !forms.has(t as IdType));
  return { ...base, id: { memberships: timelines, notValidFor } };
}
