/**
 * HashedRecordUpload's lifecycle, run in the dynamic provider process. The applied set is the set
 * of `externalId:rowDigest` strings Amazon has accepted (a snapshot; state holds its digest and
 * count). Plan = applied → desired: adds are new or changed records, uploaded again by re-reading
 * and hashing the CSV here; removes are records no longer in the CSV, for which the API has
 * nothing to call (erasure is `deletions:`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { IdSelection, IdSet, applyPlan, idSetFrom, planMembership, type MembershipPlan } from "../plan";
import { SNAPSHOT_RECOVERY_HINT, SnapshotMissingError } from "../snapshots";
import { engineLog } from "../runtime/engine-log";
import { PartialStateError } from "./partial-state-error";
import { configureProvider, dspClient, providerConfig, snapshotStore } from "./provider-context";
import { externalIdKeyFor, externalIdOfKey, readRecordLines, type RecordsSourceSettings } from "./records-source";
import { uploadWantedRecords, type RecordsSyncResult } from "./records-sync";

export interface RecordsUploadInputs extends RecordsSourceSettings {
  /** Spec key, for messages. */
  label: string;
  /** Audiences that take their members from these records. */
  audiences: string[];
  /** Digest of the desired `externalId:rowDigest` set, already in the snapshot store. */
  desiredDigest: string;
  desiredCount: number;
}

export interface RecordsUploadOutputs extends RecordsUploadInputs {
  /** Digest of the set Amazon has accepted. */
  appliedDigest: string;
  appliedCount: number;
  /** ISO time Amazon first accepted records of this upload. Absent until it has. */
  firstUploadedAt?: string;
  /** What the last create/update sent. */
  lastUpload: { records: number; requests: number; firstRequestId?: string };
}

/** A plan in the words of records: a changed record is one add and one remove of the same externalId. */
export interface RecordsPlanSummary {
  /** Records to upload: new externalIds plus changed ones. */
  newOrChanged: number;
  /** Of those, externalIds whose record was uploaded before with other hashes. */
  changed: number;
  /** externalIds no longer in the CSV. */
  gone: number;
  unchanged: number;
}

const fmt = (n: number): string => n.toLocaleString("en-US");
const plural = (n: number, one: string, many: string): string => `${fmt(n)} ${n === 1 ? one : many}`;

/** "records customers: uploaded 40 records in 1 request" */
export function describeUpload(label: string, upload: { records: number; requests: number }): string {
  return `records ${label}: uploaded ${plural(upload.records, "record", "records")} in ${plural(upload.requests, "request", "requests")}`;
}

/** Counts a plan over `externalId:rowDigest` sets in records. Pure. */
export function summarizeRecordsPlan(plan: Pick<MembershipPlan, "adds" | "removes" | "addCount" | "unchangedCount">): RecordsPlanSummary {
  let changed = 0;
  if (plan.addCount > 0 && plan.removes.size > 0) {
    const added = idSetFrom((function* () {
      for (const key of plan.adds) yield externalIdOfKey(key);
    })());
    for (const key of plan.removes) if (added.has(externalIdOfKey(key))) changed++;
  }
  return { newOrChanged: plan.addCount, changed, gone: plan.removes.size - changed, unchanged: plan.unchangedCount };
}

/** "records people: 2 new or changed, 1 gone (28 unchanged)" */
export function describeRecordsPlan(label: string, s: RecordsPlanSummary): string {
  return `records ${label}: ${fmt(s.newOrChanged)} new or changed, ${fmt(s.gone)} gone (${fmt(s.unchanged)} unchanged)`;
}

/** Why a record that left the CSV stays at Amazon, and what erases it. */
export function goneRecordsNote(label: string, gone: number): string {
  const [what, they, stay] = gone === 1 ? ["1 record is", "it leaves", "stays"] : [`${fmt(gone)} records are`, "they leave", "stay"];
  return (
    `records ${label}: ${what} no longer in the CSV; ${they} the audiences that take members from it, but ${stay} uploaded ` +
    "at Amazon (the hashed-records API has no delete). To erase a person's data, list the externalId under `deletions:` " +
    "(type EXTERNAL_USER_ID)."
  );
}

/** True when both instants fall on the same UTC calendar day. */
export function sameUtcDay(a: Date, b: Date): boolean {
  return a.toISOString().slice(0, 10) === b.toISOString().slice(0, 10);
}

/**
 * The warning for audiences associated with records on the day of their first upload (Amazon
 * maps uploaded records to its users asynchronously; until then they do not match), or
 * undefined. `firstUploadedAt` undefined: the first upload happens in this update.
 */
export function sameDayAssociationWarning(label: string, audiences: readonly string[], firstUploadedAt: string | undefined, now: Date): string | undefined {
  if (audiences.length === 0) return undefined;
  if (firstUploadedAt !== undefined && !sameUtcDay(new Date(firstUploadedAt), now)) return undefined;
  const when = firstUploadedAt === undefined ? "are first uploaded in this update" : `were first uploaded today (${firstUploadedAt.slice(11, 16)} UTC)`;
  return (
    `records ${label}: ${audiences.join(", ")} take members from records that ${when}. Amazon needs time (hours, up to days) ` +
    "to map new records, so match counts stay low until then; associating them a day after the first upload avoids this."
  );
}

/** Audiences in `now` and not in `before`. */
function newAudiences(before: readonly string[] | undefined, now: readonly string[] | undefined): string[] {
  return (now ?? []).filter((a) => !(before ?? []).includes(a));
}

/** Plans are computed in diff and used again in update within one process. */
const planCache = new Map<string, { applied: IdSet; desired: IdSet; plan: MembershipPlan }>();

async function planFor(olds: Partial<RecordsUploadOutputs>, news: RecordsUploadInputs): Promise<{ applied: IdSet; desired: IdSet; plan: MembershipPlan }> {
  const key = `${olds.appliedDigest ?? "-"}>${news.desiredDigest}`;
  const cached = planCache.get(key);
  if (cached) return cached;
  const store = snapshotStore();
  const desired = await store.get(news.desiredDigest);
  const applied = olds.appliedDigest ? await store.get(olds.appliedDigest) : IdSet.empty();
  const entry = { applied, desired, plan: planMembership(applied, desired) };
  planCache.set(key, entry);
  return entry;
}

/** Uploads the plan's adds, then records what Amazon holds now (removes need no call). */
async function carryOut(id: string, raw: object, news: RecordsUploadInputs, olds: Partial<RecordsUploadOutputs>): Promise<RecordsUploadOutputs> {
  const { applied, desired, plan } = await planFor(olds, news);
  const summary = summarizeRecordsPlan(plan);
  if (summary.gone > 0) await engineLog().log("warning", goneRecordsNote(news.label, summary.gone));
  // The secret is read now, from the config the engine handed over, and not kept.
  const externalIdKey = externalIdKeyFor(news, providerConfig());
  const wanted = plan.addCount === desired.size ? desired : idSetFrom(plan.adds);
  const result: RecordsSyncResult =
    plan.addCount === 0
      ? { accepted: IdSet.empty(), found: 0, requests: 0, requestIds: [] }
      : await uploadWantedRecords(
          dspClient(),
          readRecordLines(news, externalIdKey === undefined ? {} : { externalIdKey }),
          (k) => wanted.has(k),
        );
  const lastUpload = {
    records: result.accepted.size,
    requests: result.requests,
    ...(result.requestIds[0] === undefined ? {} : { firstRequestId: result.requestIds[0] }),
  };
  const firstUploadedAt = olds.firstUploadedAt ?? (result.accepted.size > 0 ? new Date().toISOString() : undefined);
  // `raw` carries the serialized provider (`__provider`), which every recorded state needs.
  const base = { ...(raw as RecordsUploadInputs), lastUpload, ...(firstUploadedAt === undefined ? {} : { firstUploadedAt }) };
  const error = result.error;
  if (error === undefined && result.accepted.size === plan.addCount) {
    return { ...base, appliedDigest: news.desiredDigest, appliedCount: news.desiredCount };
  }
  // Record exactly what is at Amazon now: the applied set minus the removes plus what was accepted.
  const acceptedAll = new IdSelection(result.accepted, Uint32Array.from({ length: result.accepted.size }, (_, i) => i));
  const now = applyPlan(applied, { ...plan, adds: acceptedAll, addCount: acceptedAll.size });
  const digest = await snapshotStore().put(now);
  const why =
    error !== undefined
      ? error.message
      : `the CSV or its externalId key changed since the plan was made (${fmt(result.accepted.size)} of the ${fmt(plan.addCount)} planned records were found)`;
  throw new PartialStateError(
    `records ${news.label}: ${why}\nAmazon accepted ${fmt(result.accepted.size)} of ${fmt(plan.addCount)} records in ${result.requests} requests; ` +
      "that progress is recorded, and the next `pulumi up` uploads only the rest.",
    id,
    { ...base, appliedDigest: digest, appliedCount: now.size },
  );
}

export const hashedRecordsProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureProvider,

  async check(olds, news) {
    const inputs = news as RecordsUploadInputs;
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (typeof inputs.csv !== "string" || inputs.csv === "") failures.push({ property: "csv", reason: "is required" });
    if (typeof inputs.desiredDigest !== "string") failures.push({ property: "desiredDigest", reason: "is required" });
    if (failures.length > 0) return { inputs: news, failures };
    if (Object.keys(olds).length === 0 && typeof inputs.desiredCount === "number") {
      const log = engineLog();
      await log.log("info", describeRecordsPlan(inputs.label, { newOrChanged: inputs.desiredCount, changed: 0, gone: 0, unchanged: 0 }));
      const warning = sameDayAssociationWarning(inputs.label, inputs.audiences ?? [], undefined, new Date());
      if (warning !== undefined) await log.log("warning", warning);
    }
    return { inputs: news };
  },

  async diff(_id, olds, news) {
    const held = olds as RecordsUploadOutputs;
    const wanted = news as RecordsUploadInputs;
    const recordsChange = held.appliedDigest !== wanted.desiredDigest;
    // Records are associated now with every audience when they change, else only with audiences newly using them.
    const associating = recordsChange ? (wanted.audiences ?? []) : newAudiences(held.audiences, wanted.audiences);
    const warning = sameDayAssociationWarning(wanted.label, associating, held.firstUploadedAt, new Date());
    if (warning !== undefined) await engineLog().log("warning", warning);
    // A new audience list changes no record, but is recorded (an update without requests).
    if (!recordsChange) return { changes: newAudiences(held.audiences, wanted.audiences).length > 0 || newAudiences(wanted.audiences, held.audiences).length > 0 };
    try {
      const { plan } = await planFor(held, wanted);
      const summary = summarizeRecordsPlan(plan);
      // Records that only left the CSV need no call, but the applied set must follow: still a change.
      await engineLog().log("info", describeRecordsPlan(wanted.label, summary));
    } catch (e) {
      if (e instanceof SnapshotMissingError) throw new Error(`records ${wanted.label}: cannot plan: ${e.message}\n${SNAPSHOT_RECOVERY_HINT}`);
      throw e;
    }
    return { changes: true };
  },

  async create(raw) {
    const news = raw as RecordsUploadInputs;
    const id = `records/${news.label}`;
    const outs = await carryOut(id, raw, news, {});
    await engineLog().log("info", describeUpload(news.label, outs.lastUpload));
    return { id, outs };
  },

  async update(id, olds, raw) {
    const news = raw as RecordsUploadInputs;
    const outs = await carryOut(id, raw, news, olds as RecordsUploadOutputs);
    if (outs.lastUpload.requests > 0) await engineLog().log("info", describeUpload(news.label, outs.lastUpload));
    return { outs };
  },

  async delete(_id, props) {
    const held = props as RecordsUploadOutputs;
    await engineLog().log(
      "warning",
      `records ${held.label}: the ${fmt(held.appliedCount)} uploaded records stay at Amazon (the hashed-records API has no delete). ` +
        "To erase people's data, list their externalIds under `deletions:` (type EXTERNAL_USER_ID).",
    );
  },
};
