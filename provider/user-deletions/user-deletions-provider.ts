/**
 * UserDeletions' lifecycle, run in the dynamic provider process. Desired deletions and the
 * deletions already sent are content-addressed snapshots (state holds digests, counts and
 * requestIds). A deletion is identified by type + value + advertiserId; once sent it is never
 * sent again, and leaving the spec does not undo it (the API has no undo).
 */
import type * as pulumi from "@pulumi/pulumi";
import { IdSet, idSetFrom, RANGE_COUNT } from "../plan";
import { SNAPSHOT_RECOVERY_HINT, SnapshotMissingError } from "../snapshots";
import { engineLog } from "../provider-process/engine-log";
import { PartialStateError } from "../provider-process/partial-state-error";
import { configureProvider, dspClient, snapshotStore } from "../provider-process/provider-context";
import {
  deletionKey,
  describeDeletions,
  droppedDeletionsNote,
  sendDeletions,
  sentEntry,
  type DeletionsInputs,
  type DeletionsOutputs,
} from "./deletions";
import { fmt } from "../util/format";
import { copiesOf, planMemoryBytes } from "../provider-process/plan-budget";
import { copiesPerOperation } from "../sync/plan-windows";
import { KeyedSetWriter } from "../sync/keyed-windows";
import { planDeletionsIn, type PlannedDeletions } from "./deletions-plan";

/** The plan, in memory or in windows (see deletions-plan.ts); a lost snapshot says how to recover. */
async function planFor(olds: Partial<DeletionsOutputs>, news: DeletionsInputs): Promise<PlannedDeletions> {
  const store = snapshotStore();
  try {
    return await planDeletionsIn({ store, copies: copiesOf(store), memoryBytes: planMemoryBytes() }, olds, news);
  } catch (e) {
    if (e instanceof SnapshotMissingError) throw new Error(`${news.label}: cannot plan: ${e.message}\n${SNAPSHOT_RECOVERY_HINT}`);
    throw e;
  }
}

/**
 * Sends what was not sent before, one request per body, and records every accepted one. A plan in
 * windows sends them in turn and stops at the first failure.
 */
async function carryOut(id: string, raw: object, news: DeletionsInputs, olds: Partial<DeletionsOutputs>): Promise<DeletionsOutputs> {
  const prepared = await planFor(olds, news);
  const sentNow: string[] = [];
  const requests = [...(olds.requests ?? [])];
  let error: Error | undefined;
  let sent = IdSet.empty();
  for (const window of prepared.windows) {
    const planned = await prepared.planIn(window);
    sent = planned.sent;
    ({ error } = await sendDeletions(dspClient(), planned.plan.toSend, (body) => {
      if (body.outcome !== "accepted") return;
      const requestId = body.answer?.requestId ?? "";
      requests.push({ requestId, users: body.keys.length, sentAt: new Date().toISOString() });
      for (const entry of body.keys) sentNow.push(sentEntry(deletionKey(entry), requestId));
    }));
    if (error !== undefined) break;
  }
  let stored: { digest: string; count: number };
  if (prepared.windows.length === 1) {
    const all = sentNow.length === 0 ? sent : idSetFrom([...sent, ...sentNow]);
    stored = { digest: sentNow.length === 0 && olds.sentDigest !== undefined ? olds.sentDigest : await snapshotStore().put(all), count: all.size };
  } else if (sentNow.length === 0 && olds.sentDigest !== undefined) {
    stored = { digest: olds.sentDigest, count: olds.sentCount ?? 0 };
  } else {
    // The sent set grows by what was sent now, without being read whole.
    const writer = new KeyedSetWriter(copiesOf(snapshotStore()), planMemoryBytes());
    const before = await prepared.sentCopy();
    for (let range = 0; before !== undefined && range < RANGE_COUNT; range++) writer.add(before.ranges(range, range + 1));
    writer.add(idSetFrom(sentNow));
    stored = await writer.store(snapshotStore());
  }
  // `raw` carries the serialized provider (`__provider`), which every recorded state needs.
  const outs: DeletionsOutputs = { ...(raw as DeletionsInputs), sentDigest: stored.digest, sentCount: stored.count, requests };
  const newIds = requests.slice(olds.requests?.length ?? 0).map((r) => r.requestId);
  if (error !== undefined) {
    throw new PartialStateError(
      `${news.label}: ${error.message}\nAmazon accepted ${fmt(sentNow.length)} of ${fmt(prepared.toSend)} deletions` +
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

/** Each operation's copies of sets on disk (a plan in windows) are deleted when it settles. */
export const userDeletionsProvider: pulumi.dynamic.ResourceProvider = copiesPerOperation({
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
    const plan = await planFor(held, wanted);
    if (plan.droppedFromSpec > 0) await engineLog().log("warning", droppedDeletionsNote(wanted.label, plan.droppedFromSpec));
    if (plan.toSend === 0) return { changes: false };
    await engineLog().log("info", describeDeletions(wanted.label, { toSend: { length: plan.toSend }, alreadySent: plan.alreadySent }));
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
});
