/**
 * HashedRecordUpload's lifecycle, run in the dynamic provider process. The applied set is the set
 * of `externalId:rowDigest` strings Amazon has accepted (a snapshot; state holds its digest and
 * count). Plan = applied → desired: adds are new or changed records, uploaded again by re-reading
 * and hashing the CSV here; removes are records no longer in the CSV, for which the API has
 * nothing to call (erasure is `deletions:`).
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { IdSelection, IdSet, applyPlan, idSetFrom, planMembership, type MembershipPlan } from "../plan";
import { SNAPSHOT_RECOVERY_HINT, SnapshotMissingError } from "../snapshots";
import { engineProgress } from "../provider-process/engine-log";
import { urnOf } from "../util/urn-input";
import { outcomeOfFailure } from "../sync/send-outcome";
import { newAttemptId, unionOf, type ResolvedSet, type SetSyncRecord } from "../sync/set-sync-record";
import { PartialStateError } from "../provider-process/partial-state-error";
import type { ProviderContext } from "../provider-process/provider-context";
import { externalIdKeyFor, externalIdOfKey, readRecordLines, type RecordsSourceSettings } from "./records-source";
import { uploadWantedRecords, type RecordsSyncResult } from "./records-sync";
import { fmt } from "../util/format";
import { PlanCache } from "../sync/plan-cache";
import { planSync } from "../sync/sync-plan";
import type { SyncHold } from "../sync/sync-hold";
import { appendHistory, historyEntry, keptHistory, type SyncHistoryEntry } from "../sync/sync-history";
import { retireRecord } from "../sync/record-retention";
import { historyRetentionMs, holdRecord, recordAtRest, recordTime, sweepRetiredOnce } from "../provider-process/record-holds";

export interface RecordsUploadInputs extends RecordsSourceSettings {
  /** Spec key, for messages. */
  label: string;
  /** Audiences that take their members from these records. */
  audiences: string[];
  /** Digest of the desired `externalId:rowDigest` set, already in the snapshot store. */
  desiredDigest: string;
  desiredCount: number;
  /** The spec's `settings.historyRetentionDays` (see config/history-retention.ts). @default dsp:historyRetentionDays, else 90 */
  historyRetentionDays?: number;
}

export interface RecordsUploadOutputs extends RecordsUploadInputs {
  /** Digest of the set Amazon has accepted. */
  appliedDigest: string;
  appliedCount: number;
  /** ISO time Amazon first accepted records of this upload. Absent until it has. */
  firstUploadedAt?: string;
  /** What the last create/update sent. */
  lastUpload: { records: number; requests: number; firstRequestId?: string };
  /** The upload attempt this state reflects (see its sync record, provider/sync/set-sync-record.ts). */
  syncAttempt?: string;
  /** `externalId:rowDigest` keys sent without a proven outcome; their externalIds are uploaded again while desired. */
  inDoubtDigest?: string;
  inDoubtCount?: number;
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
  /** Records uploaded again because an earlier upload of their externalId is in doubt (not counted in newOrChanged). */
  inDoubt?: number;
}

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

/**
 * "records people: 2 new or changed, 1 gone (28 unchanged)"; after an interrupted up, what is
 * uploaded again besides, and the whole upload: "…(28 unchanged; 3 more re-sent after an
 * interrupted up: 5 records uploaded)".
 */
export function describeRecordsPlan(label: string, s: RecordsPlanSummary): string {
  const doubt = s.inDoubt ?? 0;
  const tail = doubt > 0 ? `; ${fmt(doubt)} more re-sent after an interrupted up: ${plural(s.newOrChanged, "record", "records")} uploaded` : "";
  return `records ${label}: ${fmt(s.newOrChanged - doubt)} new or changed, ${fmt(s.gone)} gone (${fmt(s.unchanged)} unchanged${tail})`;
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

/** Name of an upload's sync record in the snapshot store. */
function uploadRecordName(label: string): string {
  return /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,150}$/.test(label) ? `records-upload-${label}` : `records-upload-${setDigestOfLabel(label)}`;
}

function setDigestOfLabel(label: string): string {
  return createHash("sha256").update(label).digest("hex").slice(0, 32);
}

function asUploadRecord(value: unknown): SetSyncRecord | undefined {
  return (value as SetSyncRecord | undefined)?.v === 1 ? (value as SetSyncRecord) : undefined;
}

/** The upload's sync record, once no other process is uploading (see sync-hold.ts). */
async function readUploadRecord(context: ProviderContext, inputs: RecordsUploadInputs): Promise<SetSyncRecord | undefined> {
  return asUploadRecord(await recordAtRest(context, uploadRecordName(inputs.label), `records ${inputs.label}`, urnOf(inputs)));
}

/** Writes the upload's sync record through this process's hold on it. */
async function writeUploadRecord(hold: SyncHold, record: Omit<SetSyncRecord, "v" | "at">): Promise<void> {
  await hold.write({ v: 1, at: hold.now().toISOString(), ...record } satisfies SetSyncRecord);
}

/**
 * The applied set without the keys of in-doubt externalIds: their record at Amazon is unknown
 * (an upload whose answer was lost may have overwritten it), so a desired one is uploaded again.
 */
function withoutInDoubt(applied: IdSet, inDoubt: IdSet): IdSet {
  if (inDoubt.size === 0) return applied;
  const eids = idSetFrom((function* () {
    for (const key of inDoubt) yield externalIdOfKey(key);
  })());
  const kept: number[] = [];
  for (let i = 0; i < applied.size; i++) if (!eids.has(externalIdOfKey(applied.idAt(i)))) kept.push(i);
  return unionOf([new IdSelection(applied, Uint32Array.from(kept))]);
}

interface PreparedUpload {
  resolved: ResolvedSet;
  /** The applied set the plan starts from (in-doubt externalIds left out). */
  base: IdSet;
  desired: IdSet;
  plan: MembershipPlan;
  summary: RecordsPlanSummary;
}

/** What the lifecycle of one context works with: the context, and the plans computed in diff and used again in update. */
interface Uploads {
  readonly context: ProviderContext;
  readonly plans: PlanCache<PreparedUpload>;
}

async function planFor({ context, plans }: Uploads, olds: Partial<RecordsUploadOutputs>, news: RecordsUploadInputs, record: SetSyncRecord | undefined): Promise<PreparedUpload> {
  const key = [olds.appliedDigest, olds.inDoubtDigest, olds.syncAttempt, record?.attempt, record?.stage, news.desiredDigest];
  return plans.get(key, async () => {
    const { resolved, desired, base, plan } = await planSync(context.store(), olds, record, news.desiredDigest, { baseOf: withoutInDoubt });
    const summary = summarizeRecordsPlan(plan);
    if (base !== resolved.applied) {
      // Desired records that only the doubt sends again: in the applied set, left out of the base.
      const dropped = planMembership(base, resolved.applied).adds;
      let again = 0;
      for (const k of dropped) if (desired.has(k)) again++;
      if (again > 0) summary.inDoubt = again;
    }
    return { resolved, base, desired, plan, summary };
  });
}

/** Holds the upload's sync record while it uploads (see sync-hold.ts). */
async function carryOut(uploads: Uploads, id: string, news: RecordsUploadInputs, olds: Partial<RecordsUploadOutputs>): Promise<RecordsUploadOutputs> {
  const { context } = uploads;
  const hold = await holdRecord(context, uploadRecordName(news.label), `records ${news.label}`, urnOf(news));
  try {
    const outs = await upload(uploads, id, news, olds, hold);
    await sweepRetiredOnce(context, news.historyRetentionDays);
    return outs;
  } finally {
    hold.end();
  }
}

/** Uploads the plan's adds, then records what Amazon holds now (removes need no call). */
async function upload(uploads: Uploads, id: string, news: RecordsUploadInputs, olds: Partial<RecordsUploadOutputs>, hold: SyncHold): Promise<RecordsUploadOutputs> {
  const { context } = uploads;
  const found = asUploadRecord(hold.found);
  const retentionMs = historyRetentionMs(context, news.historyRetentionDays);
  const history = keptHistory(found?.history, hold.now().getTime(), retentionMs);
  const { resolved, base, desired, plan, summary } = await planFor(uploads, olds, news, found);
  if (summary.gone > 0) await context.log.log("warning", goneRecordsNote(news.label, summary.gone), urnOf(news));
  // The secret is read now, from the config the engine handed over, and not kept.
  const externalIdKey = externalIdKeyFor(news, context.config);
  const wanted = plan.addCount === desired.size ? desired : idSetFrom(plan.adds);
  const store = context.store();
  const attempt = newAttemptId();
  const priorInDoubtDigest = resolved.inDoubt.size > 0 ? await store.put(resolved.inDoubt) : undefined;
  // Before the first request: if the answers are lost, the next plan finds what may have been uploaded.
  await writeUploadRecord(hold, {
    owner: news.label,
    attempt,
    history,
    stage: "sending",
    ...(resolved.appliedDigest === undefined ? {} : { baseDigest: resolved.appliedDigest }),
    ...(priorInDoubtDigest === undefined ? {} : { priorInDoubtDigest }),
    desiredDigest: news.desiredDigest,
  });
  const result: RecordsSyncResult =
    plan.addCount === 0
      ? { accepted: IdSet.empty(), unknown: IdSet.empty(), found: 0, requests: 0, requestIds: [] }
      : await uploadWantedRecords(
          context.client(),
          readRecordLines(news, externalIdKey === undefined ? {} : { externalIdKey }),
          (k) => wanted.has(k),
          { onProgress: engineProgress(context.log, { label: `records ${news.label}`, unit: "records", verb: "uploaded" }, plan.addCount, urnOf(news)) },
        );
  const lastUpload = {
    records: result.accepted.size,
    requests: result.requests,
    ...(result.requestIds[0] === undefined ? {} : { firstRequestId: result.requestIds[0] }),
  };
  const firstUploadedAt = olds.firstUploadedAt ?? (result.accepted.size > 0 ? new Date().toISOString() : undefined);
  // The inputs carry the serialized provider (`__provider`), which every recorded state needs.
  const common = { ...news, lastUpload, syncAttempt: attempt, ...(firstUploadedAt === undefined ? {} : { firstUploadedAt }) };
  const error = result.error;
  const withEntry = async (appliedDigest: string, inDoubt: number): Promise<SyncHistoryEntry[]> => {
    const at = hold.now();
    const sync = { at: at.toISOString(), attempt, adds: result.accepted.size, removes: 0, requests: result.requests, requestIds: result.requestIds, inDoubt, appliedDigest };
    return appendHistory(history, await historyEntry(store, error === undefined ? sync : { ...sync, failed: true }), at.getTime(), retentionMs);
  };
  if (error === undefined && result.accepted.size === plan.addCount) {
    // Every desired record is at Amazon; in-doubt ones of externalIds no longer desired cannot be undone (no delete).
    await writeUploadRecord(hold, { owner: news.label, attempt, history: await withEntry(news.desiredDigest, 0), stage: "answered", appliedDigest: news.desiredDigest, inDoubtCount: 0 });
    await hold.release();
    return { ...common, appliedDigest: news.desiredDigest, appliedCount: news.desiredCount, inDoubtCount: 0 };
  }
  // Record exactly what is at Amazon now: the applied set minus the removes plus what was accepted.
  const acceptedAll = new IdSelection(result.accepted, Uint32Array.from({ length: result.accepted.size }, (_, i) => i));
  const now = applyPlan(base, { ...plan, adds: acceptedAll, addCount: acceptedAll.size });
  const digest = await store.put(now);
  // Not accepted: earlier in-doubt keys stay in doubt, and so do this upload's when the failure proves nothing
  // (all not accepted, as other requests may have been in flight), and those of any other request whose answer was lost.
  const notAccepted = (sel: IdSet | IdSelection): IdSelection => {
    const set = "bytes" in sel ? sel : sel.set;
    const indices = "bytes" in sel ? Uint32Array.from({ length: sel.size }, (_, i) => i) : sel.indices;
    return new IdSelection(set, indices.filter((i) => !result.accepted.has(set.idAt(i))));
  };
  const unknown = error !== undefined && outcomeOfFailure(error) === "unknown";
  const inDoubt = unionOf([notAccepted(resolved.inDoubt), unknown ? notAccepted(plan.adds) : notAccepted(result.unknown)]);
  const inDoubtDigest = inDoubt.size > 0 ? await store.put(inDoubt) : undefined;
  await writeUploadRecord(hold, {
    owner: news.label,
    attempt,
    history: await withEntry(digest, inDoubt.size),
    stage: "answered",
    appliedDigest: digest,
    ...(inDoubtDigest === undefined ? {} : { inDoubtDigest }),
    inDoubtCount: inDoubt.size,
  });
  await hold.release();
  const why =
    error !== undefined
      ? error.message
      : `the CSV or its externalId key changed since the plan was made (${fmt(result.accepted.size)} of the ${fmt(plan.addCount)} planned records were found)`;
  const doubt =
    inDoubt.size > 0
      ? ` ${fmt(inDoubt.size)} records are in doubt (sent, but the answer did not say whether Amazon stored them): the next \`pulumi up\` uploads their externalIds again while the CSV has them.`
      : "";
  throw new PartialStateError(
    `records ${news.label}: ${why}\nAmazon accepted ${fmt(result.accepted.size)} of ${fmt(plan.addCount)} records in ${result.requests} requests; ` +
      `that progress is recorded, and the next \`pulumi up\` uploads only the rest.${doubt}`,
    id,
    { ...common, appliedDigest: digest, appliedCount: now.size, inDoubtCount: inDoubt.size, ...(inDoubtDigest === undefined ? {} : { inDoubtDigest }) },
  );
}

/** HashedRecordUpload's lifecycle with `context`'s client, store and log. */
export function makeHashedRecordsProvider(context: ProviderContext): pulumi.dynamic.ResourceProvider<RecordsUploadInputs, RecordsUploadOutputs> {
  const uploads: Uploads = { context, plans: new PlanCache() };
  return {
    async check(olds, news) {
      const inputs = news; // as the program declared them: the checks below make sure of the type
      const failures: pulumi.dynamic.CheckFailure[] = [];
      if (typeof inputs.csv !== "string" || inputs.csv === "") failures.push({ property: "csv", reason: "is required" });
      if (typeof inputs.desiredDigest !== "string") failures.push({ property: "desiredDigest", reason: "is required" });
      if (failures.length > 0) return { inputs: news, failures };
      if (Object.keys(olds).length === 0 && typeof inputs.desiredCount === "number") {
        const log = context.log;
        // An earlier up of this upload that never reached the state (killed) left a sync record: plan from it.
        const record = await readUploadRecord(context, inputs);
        const summary = record ? (await planFor(uploads, {}, inputs, record)).summary : { newOrChanged: inputs.desiredCount, changed: 0, gone: 0, unchanged: 0 };
        await log.log("info", describeRecordsPlan(inputs.label, summary), urnOf(news));
        const warning = sameDayAssociationWarning(inputs.label, inputs.audiences ?? [], undefined, new Date());
        if (warning !== undefined) await log.log("warning", warning, urnOf(news));
      }
      return { inputs: news };
    },

    async diff(_id, held, wanted) {
      const record = await readUploadRecord(context, wanted);
      const unsettled = (record !== undefined && record.attempt !== held.syncAttempt) || (held.inDoubtCount ?? 0) > 0;
      const recordsChange = held.appliedDigest !== wanted.desiredDigest || unsettled;
      // Records are associated now with every audience when they change, else only with audiences newly using them.
      const associating = recordsChange ? (wanted.audiences ?? []) : newAudiences(held.audiences, wanted.audiences);
      const warning = sameDayAssociationWarning(wanted.label, associating, held.firstUploadedAt, new Date());
      if (warning !== undefined) await context.log.log("warning", warning, urnOf(wanted));
      // A new audience list changes no record, but is recorded (an update without requests).
      if (!recordsChange) return { changes: newAudiences(held.audiences, wanted.audiences).length > 0 || newAudiences(wanted.audiences, held.audiences).length > 0 };
      try {
        const { summary } = await planFor(uploads, held, wanted, record);
        // Records that only left the CSV need no call, but the applied set must follow: still a change.
        await context.log.log("info", describeRecordsPlan(wanted.label, summary), urnOf(wanted));
      } catch (e) {
        if (e instanceof SnapshotMissingError) throw new Error(`records ${wanted.label}: cannot plan: ${e.message}\n${SNAPSHOT_RECOVERY_HINT}`);
        throw e;
      }
      return { changes: true };
    },

    async create(news) {
      const id = `records/${news.label}`;
      const outs = await carryOut(uploads, id, news, {});
      await context.log.log("info", describeUpload(news.label, outs.lastUpload), urnOf(news));
      return { id, outs };
    },

    async update(id, olds, news) {
      const outs = await carryOut(uploads, id, news, olds);
      if (outs.lastUpload.requests > 0) await context.log.log("info", describeUpload(news.label, outs.lastUpload), urnOf(news));
      return { outs };
    },

    async delete(_id, held) {
      // Kept for the history retention, then swept (see record-retention.ts).
      await retireRecord(context.store(), uploadRecordName(held.label), recordTime(context));
      await context.log.log(
        "warning",
        `records ${held.label}: the ${fmt(held.appliedCount)} uploaded records stay at Amazon (the hashed-records API has no delete). ` +
          "To erase people's data, list their externalIds under `deletions:` (type EXTERNAL_USER_ID).",
      );
    },
  };
}
