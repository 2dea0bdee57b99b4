/**
 * The sync record of one membership: what a sync of (audience, ID type) has in flight, written to
 * the snapshot store (`records/membership-<audienceId>-<idType>.json`) BEFORE the first request
 * is sent and again when the answers are in. It closes the gap between "Amazon got the patch" and
 * "Pulumi wrote the state": after a 5xx, a lost connection or a `kill -9`, the next plan finds the
 * IDs whose outcome is unknown ("in doubt") here and sends each again in the direction the desired
 * set then wants (adds and removes are idempotent).
 *
 * A record is settled when the state says so: the outputs carry the `syncAttempt` they reflect.
 * A record whose attempt the state does not know was written by an `up` whose result never reached
 * the state, and it wins over the state:
 * - stage `sending`: the attempt started from `baseDigest` (with `priorInDoubtDigest` in doubt) and
 *   may have sent any op of base → desired (every desired ID with `reassert`): all of them are in doubt.
 * - stage `answered`: the answers proved `appliedDigest`, and `inDoubtDigest` is what they did not prove.
 *
 * Keyed by audience and ID type, not by resource, so that a membership that takes over an
 * audience (a rename, `adopt:` after an interrupted rename) plans from what the previous one left,
 * and the previous one's delete can tell that it no longer owns the audience (`owner`).
 */
import { randomUUID } from "node:crypto";
import { IdSet, IdSetBuilder, planMembership, type IdSelection, type MembershipIdType } from "../plan";
import type { SnapshotStore } from "../snapshots";
import type { SyncHolder } from "./sync-hold";
import type { SyncHistoryEntry } from "./sync-history";

export interface MembershipSyncRecord {
  v: 1;
  audienceId: string;
  idType: MembershipIdType;
  /** Label of the membership that wrote it. */
  owner: string;
  attempt: string;
  /** ISO time the record was written. */
  at: string;
  stage: "sending" | "answered";
  /** sending: the recorded applied set the plan started from (absent: empty). */
  baseDigest?: string;
  /** sending: IDs already in doubt before this attempt. */
  priorInDoubtDigest?: string;
  /** sending: the set the plan was to reach. */
  desiredDigest?: string;
  /** sending: every desired ID was sent, not only the difference. */
  reassert?: boolean;
  /** answered: the set the answers prove applied (with the in-doubt IDs as planned). */
  appliedDigest?: string;
  /** answered: IDs whose outcome is still unknown. */
  inDoubtDigest?: string;
  inDoubtCount?: number;
  /** The process syncing now (see sync-hold.ts); absent once it is done. */
  holder?: SyncHolder;
  /** The syncs within the history retention, oldest first (see sync-history.ts). */
  history?: SyncHistoryEntry[];
  /** ISO time the membership was deleted (see record-retention.ts). */
  retiredAt?: string;
}

/** Name of the record of one audience and ID type in the snapshot store. */
export function membershipRecordName(audienceId: string, idType: MembershipIdType): string {
  return `membership-${audienceId}-${idType}`;
}

export function newAttemptId(): string {
  return randomUUID();
}

export async function readMembershipRecord(store: SnapshotStore, audienceId: string, idType: MembershipIdType): Promise<MembershipSyncRecord | undefined> {
  return parseMembershipRecord(store, membershipRecordName(audienceId, idType), await store.readRecord(membershipRecordName(audienceId, idType)));
}

/** A record as read from the store, checked. */
export function parseMembershipRecord(store: Pick<SnapshotStore, "location">, name: string, read: unknown): MembershipSyncRecord | undefined {
  const value = read as MembershipSyncRecord | undefined;
  if (value === undefined) return undefined;
  if (value.v !== 1 || typeof value.attempt !== "string" || (value.stage !== "sending" && value.stage !== "answered")) {
    throw new Error(`${store.location}: records/${name}.json is not a membership sync record this version can read`);
  }
  return value;
}

export async function writeMembershipRecord(store: SnapshotStore, record: Omit<MembershipSyncRecord, "v" | "at">, now: () => Date = () => new Date()): Promise<void> {
  const full: MembershipSyncRecord = { v: 1, at: now().toISOString(), ...record };
  await store.writeRecord(membershipRecordName(record.audienceId, record.idType), full);
}

/** What the plan starts from: the applied set as far as it is known, and the IDs in doubt. */
export interface ResolvedMembership {
  /** Digest of the applied set (undefined: nothing applied). */
  appliedDigest: string | undefined;
  applied: IdSet;
  inDoubt: IdSet;
  /** The record that overrode the state, when one did. */
  unsettled?: MembershipSyncRecord;
}

/** What the state says about a membership (its outputs), as far as resolution needs it. */
export interface HeldMembership {
  appliedDigest?: string;
  syncAttempt?: string;
  inDoubtDigest?: string;
}

/**
 * The applied set and the in-doubt IDs of (audience, ID type): from the state, unless the store
 * holds a record of an attempt the state does not reflect.
 */
export async function resolveMembership(store: SnapshotStore, held: HeldMembership, record: MembershipSyncRecord | undefined): Promise<ResolvedMembership> {
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
 * The set to plan from so that an ordinary diff re-sends every in-doubt ID in the direction
 * `desired` wants: in-doubt IDs that are desired are left out (so they are added), the others are
 * put in (so they are removed). = (applied − inDoubt) ∪ (inDoubt − desired). Linear merges.
 */
export function planningBase(applied: IdSet, inDoubt: IdSet, desired: IdSet): IdSet {
  if (inDoubt.size === 0) return applied;
  const appliedOutsideDoubt = planMembership(inDoubt, applied).adds; // applied − inDoubt
  const unwantedInDoubt = planMembership(inDoubt, desired).removes; // inDoubt − desired
  return unionOf([appliedOutsideDoubt, unwantedInDoubt]);
}

/** How many in-doubt IDs the desired set wants (they are re-sent as adds; the rest as removes). */
export function wantedInDoubt(inDoubt: IdSet, desired: IdSet): number {
  return inDoubt.size === 0 ? 0 : inDoubt.size - planMembership(inDoubt, desired).removeCount;
}

/**
 * The set (audience, ID type) most likely holds now, by its sync record: what the last answers
 * proved applied, or what an unanswered attempt started from. A good base for the next desired
 * set's delta; undefined without a record.
 */
export async function lastKnownApplied(store: SnapshotStore, audienceId: string, idType: MembershipIdType): Promise<string | undefined> {
  const record = await readMembershipRecord(store, audienceId, idType);
  return record?.stage === "answered" ? record.appliedDigest : record?.baseDigest;
}
