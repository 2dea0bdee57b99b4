/**
 * HashedRecordUpload's lifecycle, run in the dynamic provider process. The applied set is the set
 * of `externalId:rowDigest` strings Amazon has accepted (a snapshot; state holds its digest and
 * count). Plan = applied → desired: adds are new or changed records, uploaded again by re-reading
 * and hashing the CSV here; removes are records no longer in the CSV, for which the API has
 * nothing to call (erasure is `deletions:`).
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { IdSet, idSetFrom } from "../plan";
import { SNAPSHOT_RECOVERY_HINT, SnapshotMissingError } from "../snapshots";
import { engineProgress } from "../provider-process/engine-log";
import { urnOf } from "../util/urn-input";
import { outcomeOfFailure } from "../sync/send-outcome";
import { newAttemptId, type SetSyncRecord } from "../sync/set-sync-record";
import { PartialStateError } from "../provider-process/partial-state-error";
import type { ProviderContext } from "../provider-process/provider-context";
import { externalIdKeyFor, readRecordLines, type RecordsSourceSettings } from "./records-source";
import { uploadWantedRecords, type RecordsSyncResult } from "./records-sync";
import { fmt } from "../util/format";
import { PlanCache } from "../sync/plan-cache";
import { copiesPerOperation, lazyCopies, type SpilledCopies, WHOLE_SET, type PlanWindow } from "../sync/plan-windows";
import { KeyedSetWriter } from "../sync/keyed-windows";
import { outcomeOfWindow, planRecords, recordsWindows, type RecordsPlan, type RecordsPlanContext, type RecordsPlanSummary, type RecordsWindowPlan } from "./records-plan";

export { summarizeRecordsPlan, type RecordsPlanSummary } from "./records-plan";
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

const plural = (n: number, one: string, many: string): string => `${fmt(n)} ${n === 1 ? one : many}`;

/** "records customers: uploaded 40 records in 1 request" */
export function describeUpload(label: string, upload: { records: number; requests: number }): string {
  return `records ${label}: uploaded ${plural(upload.records, "record", "records")} in ${plural(upload.requests, "request", "requests")}`;
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

/** What the lifecycle of one context works with: the context, and the plans computed in diff and used again in update. */
interface Uploads {
  readonly context: ProviderContext;
  readonly plans: PlanCache<RecordsPlan>;
  /** Copies of large sets on disk; each operation's own are deleted when it settles (see plan-windows.ts). */
  copies(): SpilledCopies;
}

/** What a plan reads, and its memory budget (see records-plan.ts). */
function planContext({ context, copies }: Uploads): RecordsPlanContext {
  return { store: context.store(), copies: copies(), memoryBytes: context.planMemoryBytes() };
}

async function planFor(uploads: Uploads, olds: Partial<RecordsUploadOutputs>, news: RecordsUploadInputs, record: SetSyncRecord | undefined): Promise<RecordsPlan> {
  const context = planContext(uploads);
  const windows = recordsWindows(olds, news.desiredCount, context.memoryBytes);
  const key = [olds.appliedDigest, olds.inDoubtDigest, olds.syncAttempt, record?.attempt, record?.stage, news.desiredDigest, windows.length];
  return uploads.plans.get(key, () => planRecords(context, olds, record, { digest: news.desiredDigest, count: news.desiredCount }));
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

/** What the requests of an upload did, over all its windows. */
interface UploadTotals {
  accepted: number;
  requests: number;
  requestIds: string[];
  /** The first failure; nothing was sent after it. */
  error?: Error;
}

/**
 * Uploads the plan's adds, then records what Amazon holds now (removes need no call). A plan in
 * windows uploads them in turn, reading the CSV once per window, and stops at the first failure.
 */
async function upload(uploads: Uploads, id: string, news: RecordsUploadInputs, olds: Partial<RecordsUploadOutputs>, hold: SyncHold): Promise<RecordsUploadOutputs> {
  const { context } = uploads;
  const found = asUploadRecord(hold.found);
  const retentionMs = historyRetentionMs(context, news.historyRetentionDays);
  const history = keptHistory(found?.history, hold.now().getTime(), retentionMs);
  const prepared = await planFor(uploads, olds, news, found);
  const { summary, windows } = prepared;
  const planned = summary.newOrChanged;
  if (summary.gone > 0) await context.log.log("warning", goneRecordsNote(news.label, summary.gone), urnOf(news));
  // The secret is read now, from the config the engine handed over, and not kept.
  const externalIdKey = externalIdKeyFor(news, context.config);
  const { store, copies, memoryBytes } = planContext(uploads);
  const attempt = newAttemptId();
  const single = windows.length === 1;
  const setOf = async (partIn: (window: RecordsWindowPlan) => IdSet): Promise<{ digest: string; count: number }> => {
    if (single) {
      const set = partIn(await prepared.planIn(WHOLE_SET[0] as PlanWindow));
      return { digest: await store.put(set), count: set.size };
    }
    const writer = new KeyedSetWriter(copies, memoryBytes);
    for (const window of windows) writer.add(partIn(await prepared.planIn(window)));
    return writer.store(store);
  };
  const priorInDoubtDigest = prepared.inDoubtCount > 0 ? (await setOf((w) => w.resolved.inDoubt)).digest : undefined;
  // Before the first request: if the answers are lost, the next plan finds what may have been uploaded.
  await writeUploadRecord(hold, {
    owner: news.label,
    attempt,
    history,
    stage: "sending",
    ...(prepared.appliedDigest === undefined ? {} : { baseDigest: prepared.appliedDigest }),
    ...(priorInDoubtDigest === undefined ? {} : { priorInDoubtDigest }),
    desiredDigest: news.desiredDigest,
  });
  const progress = engineProgress(context.log, { label: `records ${news.label}`, unit: "records", verb: "uploaded" }, planned, urnOf(news));
  const totals: UploadTotals = { accepted: 0, requests: 0, requestIds: [] };
  const provesNothing = (error: Error | undefined): boolean => error !== undefined && outcomeOfFailure(error) === "unknown";
  // What each window leaves, kept only in case the upload does not complete: the one window's
  // parts made on demand, or every window's written as it is done (two writers beside a window's
  // plan: a quarter of the budget each, the rest on disk).
  let whole: (() => { applied: IdSet; inDoubt: IdSet }) | undefined;
  const parts = single ? undefined : { applied: new KeyedSetWriter(copies, memoryBytes / 4), inDoubt: new KeyedSetWriter(copies, memoryBytes / 4) };
  for (const window of windows) {
    const plan = await prepared.planIn(window);
    let result: RecordsSyncResult = { accepted: IdSet.empty(), unknown: IdSet.empty(), found: 0, requests: 0, requestIds: [] };
    if (totals.error === undefined && plan.plan.addCount > 0) {
      const wanted = plan.plan.addCount === plan.desired.size ? plan.desired : idSetFrom(plan.plan.adds);
      result = await uploadWantedRecords(context.client(), readRecordLines(news, externalIdKey === undefined ? {} : { externalIdKey }), (k) => wanted.has(k), { onProgress: progress });
      totals.accepted += result.accepted.size;
      totals.requests += result.requests;
      totals.requestIds.push(...result.requestIds);
      if (result.error !== undefined) totals.error = result.error;
    }
    // A window after a failure sent nothing; it is judged by that failure, as the rest of one upload would be.
    const outcome = () => outcomeOfWindow(plan, result.accepted, result.unknown, provesNothing(result.error ?? totals.error));
    if (parts === undefined) whole = outcome;
    else {
      const part = outcome();
      parts.applied.add(part.applied);
      parts.inDoubt.add(part.inDoubt);
    }
  }
  const lastUpload = {
    records: totals.accepted,
    requests: totals.requests,
    ...(totals.requestIds[0] === undefined ? {} : { firstRequestId: totals.requestIds[0] }),
  };
  const firstUploadedAt = olds.firstUploadedAt ?? (totals.accepted > 0 ? new Date().toISOString() : undefined);
  // The inputs carry the serialized provider (`__provider`), which every recorded state needs.
  const common = { ...news, lastUpload, syncAttempt: attempt, ...(firstUploadedAt === undefined ? {} : { firstUploadedAt }) };
  const error = totals.error;
  const withEntry = async (appliedDigest: string, inDoubt: number): Promise<SyncHistoryEntry[]> => {
    const at = hold.now();
    const sync = { at: at.toISOString(), attempt, adds: totals.accepted, removes: 0, requests: totals.requests, requestIds: totals.requestIds, inDoubt, appliedDigest };
    return appendHistory(history, await historyEntry(store, error === undefined ? sync : { ...sync, failed: true }), at.getTime(), retentionMs);
  };
  if (error === undefined && totals.accepted === planned) {
    // Every desired record is at Amazon; in-doubt ones of externalIds no longer desired cannot be undone (no delete).
    await writeUploadRecord(hold, { owner: news.label, attempt, history: await withEntry(news.desiredDigest, 0), stage: "answered", appliedDigest: news.desiredDigest, inDoubtCount: 0 });
    await hold.release();
    return { ...common, appliedDigest: news.desiredDigest, appliedCount: news.desiredCount, inDoubtCount: 0 };
  }
  // Record exactly what is at Amazon now: the applied set minus the removes plus what was accepted;
  // in doubt, what the answers left unproven.
  let now: { digest: string; count: number };
  let inDoubt: { digest: string | undefined; count: number };
  if (whole !== undefined) {
    const sets = whole();
    now = { digest: await store.put(sets.applied), count: sets.applied.size };
    inDoubt = { digest: sets.inDoubt.size > 0 ? await store.put(sets.inDoubt) : undefined, count: sets.inDoubt.size };
  } else {
    const { applied, inDoubt: doubt } = parts as { applied: KeyedSetWriter; inDoubt: KeyedSetWriter };
    now = await applied.store(store);
    inDoubt = doubt.count > 0 ? await doubt.store(store) : { digest: undefined, count: 0 };
  }
  const inDoubtDigest = inDoubt.digest;
  await writeUploadRecord(hold, {
    owner: news.label,
    attempt,
    history: await withEntry(now.digest, inDoubt.count),
    stage: "answered",
    appliedDigest: now.digest,
    ...(inDoubtDigest === undefined ? {} : { inDoubtDigest }),
    inDoubtCount: inDoubt.count,
  });
  await hold.release();
  const why =
    error !== undefined
      ? error.message
      : `the CSV or its externalId key changed since the plan was made (${fmt(totals.accepted)} of the ${fmt(planned)} planned records were found)`;
  const doubt =
    inDoubt.count > 0
      ? ` ${fmt(inDoubt.count)} records are in doubt (sent, but the answer did not say whether Amazon stored them): the next \`pulumi up\` uploads their externalIds again while the CSV has them.`
      : "";
  throw new PartialStateError(
    `records ${news.label}: ${why}\nAmazon accepted ${fmt(totals.accepted)} of ${fmt(planned)} records in ${totals.requests} requests; ` +
      `that progress is recorded, and the next \`pulumi up\` uploads only the rest.${doubt}`,
    id,
    { ...common, appliedDigest: now.digest, appliedCount: now.count, inDoubtCount: inDoubt.count, ...(inDoubtDigest === undefined ? {} : { inDoubtDigest }) },
  );
}

/** HashedRecordUpload's lifecycle with `context`'s client, store and log. */
export function makeHashedRecordsProvider(context: ProviderContext): pulumi.dynamic.ResourceProvider<RecordsUploadInputs, RecordsUploadOutputs> {
  const uploads: Uploads = { context, plans: new PlanCache(), copies: lazyCopies(() => context.store()) };
  // Each operation's copies on disk (a plan in windows) are deleted as soon as it settles (see plan-windows.ts).
  return copiesPerOperation({
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
  });
}
