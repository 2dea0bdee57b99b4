/**
 * UserDeletions' lifecycle, run in the dynamic provider process. Desired deletions and the
 * deletions already sent are content-addressed snapshots (state holds digests, counts and
 * requestIds). A deletion is identified by type + value + advertiserId; once sent it is never
 * sent again, and leaving the spec does not undo it (the API has no undo).
 */
import type * as pulumi from "@pulumi/pulumi";
import { packUserDeletions, type UserDeletionInput } from "../client";
import { IdSet, idSetFrom } from "../plan";
import type { IdType } from "../spec";
import { SNAPSHOT_RECOVERY_HINT, SnapshotMissingError } from "../snapshots";
import { engineLog } from "../runtime/engine-log";
import { PartialStateError } from "./partial-state-error";
import { configureProvider, dspClient, snapshotStore } from "./provider-context";

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

const fmt = (n: number): string => n.toLocaleString("en-US");

/** "deletions: 2 to send (5 already sent)" */
export function describeDeletions(label: string, plan: Pick<DeletionsPlan, "toSend" | "alreadySent">): string {
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
 * Splits deletions into the groups the client will send as one request each (≤1,000 users and
 * ≤1 MB, packed exactly as the client packs), so each requestId maps to its deletions.
 */
export function requestGroups(entries: readonly DeletionEntry[]): DeletionEntry[][] {
  const groups: DeletionEntry[][] = [];
  let position = 0;
  for (const batch of packUserDeletions(entries.map(toUserDeletionInput))) {
    groups.push(entries.slice(position, position + batch.ops));
    position += batch.ops;
  }
  return groups;
}

async function loadSets(olds: Partial<DeletionsOutputs>, news: DeletionsInputs): Promise<{ desired: IdSet; sent: IdSet }> {
  const store = snapshotStore();
  try {
    return {
      desired: await store.get(news.desiredDigest),
      sent: olds.sentDigest ? await store.get(olds.sentDigest) : IdSet.empty(),
    };
  } catch (e) {
    if (e instanceof SnapshotMissingError) throw new Error(`${news.label}: cannot plan: ${e.message}\n${SNAPSHOT_RECOVERY_HINT}`);
    throw e;
  }
}

/** Sends what was not sent before, one request per group, and records every accepted one. */
async function carryOut(id: string, raw: object, news: DeletionsInputs, olds: Partial<DeletionsOutputs>): Promise<DeletionsOutputs> {
  const { desired, sent } = await loadSets(olds, news);
  const plan = planDeletions(desired, sent);
  const client = dspClient();
  const sentNow: string[] = [];
  const requests = [...(olds.requests ?? [])];
  let error: Error | undefined;
  for (const group of requestGroups(plan.toSend)) {
    try {
      const r = await client.deleteUsers(group.map(toUserDeletionInput));
      const requestId = r.requestIds[0] ?? "";
      requests.push({ requestId, users: group.length, sentAt: new Date().toISOString() });
      for (const entry of group) sentNow.push(sentEntry(deletionKey(entry), requestId));
    } catch (e) {
      error = e instanceof Error ? e : new Error(String(e));
      break;
    }
  }
  const all = sentNow.length === 0 ? sent : idSetFrom([...sent, ...sentNow]);
  const sentDigest = sentNow.length === 0 && olds.sentDigest !== undefined ? olds.sentDigest : await snapshotStore().put(all);
  // `raw` carries the serialized provider (`__provider`), which every recorded state needs.
  const outs: DeletionsOutputs = { ...(raw as DeletionsInputs), sentDigest, sentCount: all.size, requests };
  const newIds = requests.slice(olds.requests?.length ?? 0).map((r) => r.requestId);
  if (error !== undefined) {
    throw new PartialStateError(
      `${news.label}: ${error.message}\nAmazon accepted ${fmt(sentNow.length)} of ${fmt(plan.toSend.length)} deletions` +
        (newIds.length > 0 ? ` (requestIds ${newIds.join(", ")})` : "") +
        "; that is recorded, and the next `pulumi up` sends only the rest.",
      id,
      outs,
    );
  }
  if (newIds.length > 0) {
    const what = `${fmt(sentNow.length)} deletion${sentNow.length === 1 ? "" : "s"} in ${newIds.length} request${newIds.length === 1 ? "" : "s"}`;
    await engineLog().log("info", `${news.label}: sent ${what} (requestId${newIds.length === 1 ? "" : "s"} ${newIds.join(", ")})`);
  }
  return outs;
}

export const userDeletionsProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureProvider,

  async check(olds, news) {
    const inputs = news as DeletionsInputs;
    if (typeof inputs.desiredDigest !== "string") return { inputs: news, failures: [{ property: "desiredDigest", reason: "is required" }] };
    if (Object.keys(olds).length === 0 && typeof inputs.desiredCount === "number") {
      await engineLog().log("info", `${inputs.label}: ${fmt(inputs.desiredCount)} to send (0 already sent)`);
    }
    return { inputs: news };
  },

  async diff(_id, olds, news) {
    const held = olds as DeletionsOutputs;
    const wanted = news as DeletionsInputs;
    const { desired, sent } = await loadSets(held, wanted);
    const plan = planDeletions(desired, sent);
    if (plan.droppedFromSpec > 0) await engineLog().log("warning", droppedDeletionsNote(wanted.label, plan.droppedFromSpec));
    if (plan.toSend.length === 0) return { changes: false };
    await engineLog().log("info", describeDeletions(wanted.label, plan));
    return { changes: true };
  },

  async create(raw) {
    const news = raw as DeletionsInputs;
    const id = news.label;
    return { id, outs: await carryOut(id, raw, news, {}) };
  },

  async update(id, olds, raw) {
    return { outs: await carryOut(id, raw, raw as DeletionsInputs, olds as DeletionsOutputs) };
  },

  async delete(_id, props) {
    const held = props as DeletionsOutputs;
    await engineLog().log(
      "warning",
      `${held.label}: the ${fmt(held.sentCount)} deletions sent stand (Amazon has no undo). The record of them leaves the state: ` +
        "listing one again later sends it again (harmless).",
    );
  },
};
