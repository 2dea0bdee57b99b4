/**
 * The sync record of one remote set (a membership's IDs, an upload's records): what a sync has in
 * flight, written to the snapshot store (`records/<name>.json`, named by the resource kind) BEFORE
 * the first request is sent and again when the answers are in. It closes the gap between "Amazon
 * got the request" and "Pulumi wrote the state": after a 5xx, a lost connection or a `kill -9`,
 * the next plan finds the entries whose outcome is unknown ("in doubt") here and sends each again
 * in the direction the desired set then wants (every send is idempotent).
 *
 * A record is settled when the state says so: the outputs carry the `syncAttempt` they reflect.
 * A record whose attempt the state does not know was written by an `up` whose result never reached
 * the state, and it wins over the state:
 * - stage `sending`: the attempt started from `baseDigest` (with `priorInDoubtDigest` in doubt) and
 *   may have sent any op of base → desired (every desired entry with `reassert`): all of them are in doubt.
 * - stage `answered`: the answers proved `appliedDigest`, and `inDoubtDigest` is what they did not prove.
 *
 * A resource kind adds what names its target (a membership's audience and ID type:
 * provider/membership/membership-record.ts).
 */
import { randomUUID } from "node:crypto";
import { IdSet, IdSetBuilder, planMembership, type IdSelection } from "../plan";
import type { SnapshotStore } from "../snapshots";
import type { SyncHolder } from "./sync-hold";
import type { SyncHistoryEntry } from "./sync-history";

export interface SetSyncRecord {
  v: 1;
  /** Label of the resource that wrote it. */
  owner: string;
  attempt: string;
  /** ISO time the record was written. */
  at: string;
  stage: "sending" | "answered";
  /** sending: the recorded applied set the plan started from (absent: empty). */
  baseDigest?: string;
  /** sending: entries already in doubt before this attempt. */
  priorInDoubtDigest?: string;
  /** sending: the set the plan was to reach. */
  desiredDigest?: string;
  /** sending: every desired entry was sent, not only the difference. */
  reassert?: boolean;
  /** answered: the set the answers prove applied (with the in-doubt entries as planned). */
  appliedDigest?: string;
  /** answered: entries whose outcome is still unknown. */
  inDoubtDigest?: string;
  inDoubtCount?: number;
  /** The process syncing now (see sync-hold.ts); absent once it is done. */
  holder?: SyncHolder;
  /** The syncs within the history retention, oldest first (see sync-history.ts). */
  history?: SyncHistoryEntry[];
  /** ISO time the resource was deleted (see record-retention.ts). */
  retiredAt?: string;
}

export function newAttemptId(): string {
  return randomUUID();
}

/**
 * A record as read from the store, checked; `what` names its kind in the error.
 * @throws Error naming the store and the record when it is not one this version can read
 */
export function parseSetSyncRecord<R extends SetSyncRecord = SetSyncRecord>(store: Pick<SnapshotStore, "location">, name: string, read: unknown, what = "sync record"): R | undefined {
  const value = read as R | undefined;
  if (value === undefined) return undefined;
  if (value.v !== 1 || typeof value.attempt !== "string" || (value.stage !== "sending" && value.stage !== "answered")) {
    throw new Error(`${store.location}: records/${name}.json is not a ${what} this version can read`);
  }
  return value;
}

/** What the plan starts from: the applied set as far as it is known, and the entries in doubt. */
export interface ResolvedSet<R extends SetSyncRecord = SetSyncRecord> {
  /** Digest of the applied set (undefined: nothing applied). */
  appliedDigest: string | undefined;
  applied: IdSet;
  inDoubt: IdSet;
  /** The record that overrode the state, when one did. */
  unsettled?: R;
}

/** What the state says about a synced set (the resource's outputs), as far as resolution needs it. */
export interface HeldSet {
  appliedDigest?: string;
  syncAttempt?: string;
  inDoubtDigest?: string;
}

/**
 * The applied set and the in-doubt entries of one synced set: from the state, unless the store
 * holds a record of an attempt the state does not reflect.
 */
export async function resolveSet<R extends SetSyncRecord>(store: SnapshotStore, held: HeldSet, record: R | undefined): Promise<ResolvedSet<R>> {
  const get = (digest: string | undefined): Promise<IdSet> => (digest === undefined ? Promise.resolve(IdSet.empty()) : store.get(digest));
  if (record === undefined || record.attempt === held.syncAttempt) {
    return { appliedDigest: held.appliedDigest, applied: await get(held.appliedDigest), inDoubt: await get(held.inDoubtDigest) };
  }
  if (record.stage === "answered") {
    return { appliedDigest: record.appliedDigest, applied: await get(record.appliedDigest), inDoubt: await get(record.inDoubtDigest), unsettled: record };
  }
  const base = await get(record.baseDigest);
  const desired = await get(record.desiredDigest);
  const prior = await get(record.priorInDoubtDigest);
  const plan = planMembership(base, desired);
  const parts: Array<IdSet | IdSelection> = [prior, plan.removes, record.reassert === true ? desired : plan.adds];
  return { appliedDigest: record.baseDigest, applied: base, inDoubt: unionOf(parts), unsettled: record };
}

/** The union of sets and selections, as a new set. */
export function unionOf(parts: ReadonlyArray<IdSet | IdSelection>): IdSet {
  const builder = new IdSetBuilder({ expectedBytes: parts.reduce((n, p) => n + ("bytes" in p ? p.bytes.length : p.set.bytes.length), 0) + 1 });
  for (const part of parts) {
    const set = "bytes" in part ? part : part.set;
    const indices = "bytes" in part ? undefined : part.indices;
    const count = indices === undefined ? set.size : indices.length;
    for (let k = 0; k < count; k++) {
      const index = indices === undefined ? k : (indices[k] as number);
      builder.addBytes(set.bytes, set.startOf(index), set.endOf(index));
    }
  }
  return builder.build();
}

/**
 * The set to plan from so that an ordinary diff re-sends every in-doubt entry in the direction
 * `desired` wants: in-doubt entries that are desired are left out (so they are added), the others are
 * put in (so they are removed). = (applied − inDoubt) ∪ (inDoubt − desired). Linear merges.
 */
export function planningBase(applied: IdSet, inDoubt: IdSet, desired: IdSet): IdSet {
  if (inDoubt.size === 0) return applied;
  const appliedOutsideDoubt = planMembership(inDoubt, applied).adds; // applied − inDoubt
  const unwantedInDoubt = planMembership(inDoubt, desired).removes; // inDoubt − desired
  return unionOf([appliedOutsideDoubt, unwantedInDoubt]);
}

/** How many in-doubt entries the desired set wants (they are re-sent as adds; the rest as removes). */
export function wantedInDoubt(inDoubt: IdSet, desired: IdSet): number {
  return inDoubt.size === 0 ? 0 : inDoubt.size - planMembership(inDoubt, desired).removeCount;
}
