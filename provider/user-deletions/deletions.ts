/**
 * User deletions as the spec states them, as snapshot lines, as a plan (what is still to send)
 * and as the request bodies the client sends, sent and tracked: used by the UserDeletions
 * provider and by the `delete-users` command alike. Pure but for {@link sendDeletions}.
 */
import { packKeyedUserDeletions, type BodyAcceptance, type DspClient, type KeyedBatch, type UserDeletionInput } from "../client";
import { sendTracked, type BodyOutcome, type TrackedSendResult } from "../sync/tracked-send";
import type { IdType } from "../spec";
import { fmt } from "../util/format";
/** One deletion as the spec states it. */
export interface DeletionEntry {
  type: IdType;
  value: string;
  /** int64 decimal string. Absent: every advertiser. */
  advertiserId?: string;
  /** Epoch milliseconds, decimal string. */
  consentTime?: string;
}

export interface DeletionsInputs {
  /** For messages. */
  label: string;
  /** Digest of the set of {@link encodeDeletion} strings, already in the snapshot store. */
  desiredDigest: string;
  desiredCount: number;
}

/** One PATCH /v2/dp/users request that Amazon accepted. */
export interface DeletionRequestRecord {
  requestId: string;
  users: number;
  /** ISO time it was accepted. */
  sentAt: string;
}

export interface DeletionsOutputs extends DeletionsInputs {
  /** Digest of the set of {@link sentEntry} strings: every deletion sent, with its requestId. */
  sentDigest: string;
  sentCount: number;
  /** Every accepted request, oldest first. */
  requests: DeletionRequestRecord[];
}

/** A deletion as one snapshot string (JSON never contains "\n"). */
export function encodeDeletion(e: DeletionEntry): string {
  return JSON.stringify([e.type, e.value, e.advertiserId ?? null, e.consentTime ?? null]);
}

export function decodeDeletion(text: string): DeletionEntry {
  const [type, value, advertiserId, consentTime] = JSON.parse(text) as [IdType, string, string | null, string | null];
  return { type, value, ...(advertiserId !== null ? { advertiserId } : {}), ...(consentTime !== null ? { consentTime } : {}) };
}

/** What makes two deletions the same: type, value and advertiser (not the consent time). */
export function deletionKey(e: DeletionEntry): string {
  return JSON.stringify([e.type, e.value, e.advertiserId ?? null]);
}

/** A sent deletion: its key and the requestId that carried it, tab-separated (JSON escapes tabs). */
export function sentEntry(key: string, requestId: string): string {
  return `${key}\t${requestId}`;
}

export function sentKeyOf(entry: string): string {
  const tab = entry.indexOf("\t");
  return tab < 0 ? entry : entry.slice(0, tab);
}

export interface DeletionsPlan {
  /** Not sent before; one per key, in the order given. */
  toSend: DeletionEntry[];
  alreadySent: number;
  /** Sent before but no longer listed: they stand. */
  droppedFromSpec: number;
}

/** Which desired deletions still have to be sent. Pure. */
export function planDeletions(desired: Iterable<string>, sent: Iterable<string>): DeletionsPlan {
  const sentKeys = new Set<string>();
  for (const entry of sent) sentKeys.add(sentKeyOf(entry));
  const listed = new Set<string>();
  const toSend: DeletionEntry[] = [];
  let alreadySent = 0;
  for (const text of desired) {
    const entry = decodeDeletion(text);
    const key = deletionKey(entry);
    if (listed.has(key)) continue; // the same deletion with another consent time: once
    listed.add(key);
    if (sentKeys.has(key)) alreadySent++;
    else toSend.push(entry);
  }
  let droppedFromSpec = 0;
  for (const key of sentKeys) if (!listed.has(key)) droppedFromSpec++;
  return { toSend, alreadySent, droppedFromSpec };
}


/** "deletions: 2 to send (5 already sent)" */
export function describeDeletions(label: string, plan: Pick<DeletionsPlan, "alreadySent"> & { toSend: { readonly length: number } }): string {
  return `${label}: ${fmt(plan.toSend.length)} to send (${fmt(plan.alreadySent)} already sent)`;
}

/** Why a deletion that left the spec is not taken back. */
export function droppedDeletionsNote(label: string, dropped: number): string {
  const what = dropped === 1 ? "1 deletion was sent before and is" : `${fmt(dropped)} deletions were sent before and are`;
  return `${label}: ${what} no longer listed; a deletion cannot be undone (Amazon erases the data within 30 days), so nothing is sent.`;
}

export function toUserDeletionInput(e: DeletionEntry): UserDeletionInput {
  return {
    type: e.type,
    value: e.value,
    ...(e.advertiserId !== undefined ? { advertiserId: e.advertiserId } : {}),
    ...(e.consentTime !== undefined ? { consentTime: Number(e.consentTime) } : {}),
  };
}

/**
 * The PATCH /v2/dp/users bodies for `entries` (≤1,000 users and ≤1 MB each), packed by the
 * client's packer, each with the deletions it carries, so each requestId maps to its deletions.
 */
export function deletionBodies(entries: Iterable<DeletionEntry>): Generator<KeyedBatch<DeletionEntry>, void, undefined> {
  return packKeyedUserDeletions(
    (function* () {
      for (const entry of entries) yield { input: toUserDeletionInput(entry), key: entry };
    })(),
  );
}

/**
 * Sends the deletions one body at a time (the users lane allows 1 req/s) and stops at the first
 * failure; `onOutcome` hears each body as soon as its answer is in.
 */
export function sendDeletions(
  client: Pick<DspClient, "sendBody">,
  entries: Iterable<DeletionEntry>,
  onOutcome?: (outcome: BodyOutcome<DeletionEntry, BodyAcceptance>) => void,
): Promise<TrackedSendResult<DeletionEntry, BodyAcceptance>> {
  return sendTracked(deletionBodies(entries), (batch) => client.sendBody({ kind: "userDeletions", batch }), onOutcome === undefined ? {} : { onOutcome });
}
