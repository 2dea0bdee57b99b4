/**
 * The sync record of one membership (see provider/sync/set-sync-record.ts for what a sync record
 * holds and when it wins over the state): `records/membership-<audienceId>-<idType>.json`, with the
 * audience and ID type it syncs. Keyed by audience and ID type, not by resource, so that a
 * membership that takes over an audience (a rename, `adopt:` after an interrupted rename) plans
 * from what the previous one left, and the previous one's delete can tell that it no longer owns
 * the audience (`owner`).
 */
import type { MembershipIdType } from "../plan";
import type { SnapshotStore } from "../snapshots";
import { parseSetSyncRecord, type SetSyncRecord } from "../sync/set-sync-record";

export interface MembershipSyncRecord extends SetSyncRecord {
  audienceId: string;
  idType: MembershipIdType;
}

/** Name of the record of one audience and ID type in the snapshot store. */
export function membershipRecordName(audienceId: string, idType: MembershipIdType): string {
  return `membership-${audienceId}-${idType}`;
}

/** A membership's record as read from the store, checked. @throws Error naming the record when this version cannot read it */
export function parseMembershipRecord(store: Pick<SnapshotStore, "location">, name: string, read: unknown): MembershipSyncRecord | undefined {
  return parseSetSyncRecord<MembershipSyncRecord>(store, name, read, "membership sync record");
}

export async function readMembershipRecord(store: SnapshotStore, audienceId: string, idType: MembershipIdType): Promise<MembershipSyncRecord | undefined> {
  const name = membershipRecordName(audienceId, idType);
  return parseMembershipRecord(store, name, await store.readRecord(name));
}

export async function writeMembershipRecord(store: SnapshotStore, record: Omit<MembershipSyncRecord, "v" | "at">, now: () => Date = () => new Date()): Promise<void> {
  const full: MembershipSyncRecord = { v: 1, at: now().toISOString(), ...record };
  await store.writeRecord(membershipRecordName(record.audienceId, record.idType), full);
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
