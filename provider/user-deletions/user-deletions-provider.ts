/**
 * UserDeletions' lifecycle, run in the dynamic provider process. Desired deletions and the
 * deletions already sent are content-addressed snapshots (state holds digests, counts and
 * requestIds). A deletion is identified by type + value + advertiserId; once sent it is never
 * sent again, and leaving the spec does not undo it (the API has no undo).
 */
import type * as pulumi from "@pulumi/pulumi";
import { IdSet, idSetFrom } from "../plan";
import { SNAPSHOT_RECOVERY_HINT, SnapshotMissingError } from "../snapshots";
import { PartialStateError } from "../provider-process/partial-state-error";
import type { ProviderContext } from "../provider-process/provider-context";
import {
  deletionKey,
  describeDeletions,
  droppedDeletionsNote,
  planDeletions,
  sendDeletions,
  sentEntry,
  type DeletionsInputs,
  type DeletionsOutputs,
} from "./deletions";
import { fmt } from "../util/format";

async function loadSets(context: ProviderContext, olds: Partial<DeletionsOutputs>, news: DeletionsInputs): Promise<{ desired: IdSet; sent: IdSet }> {
  const store = context.store();
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

/** Sends what was not sent before, one request per body, and records every accepted one. */
async function carryOut(context: ProviderContext, id: string, news: DeletionsInputs, olds: Partial<DeletionsOutputs>): Promise<DeletionsOutputs> {
  const { desired, sent } = await loadSets(context, olds, news);
  const plan = planDeletions(desired, sent);
  const sentNow: string[] = [];
  const requests = [...(olds.requests ?? [])];
  const { error } = await sendDeletions(context.client(), plan.toSend, (body) => {
    if (body.outcome !== "accepted") return;
    const requestId = body.answer?.requestId ?? "";
    requests.push({ requestId, users: body.keys.length, sentAt: new Date().toISOString() });
    for (const entry of body.keys) sentNow.push(sentEntry(deletionKey(entry), requestId));
  });
  const all = sentNow.length === 0 ? sent : idSetFrom([...sent, ...sentNow]);
  const sentDigest = sentNow.length === 0 && olds.sentDigest !== undefined ? olds.sentDigest : await context.store().put(all);
  // The inputs carry the serialized provider (`__provider`), which every recorded state needs.
  const outs: DeletionsOutputs = { ...news, sentDigest, sentCount: all.size, requests };
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
    await context.log.log("info", `${news.label}: sent ${what} (requestId${newIds.length === 1 ? "" : "s"} ${newIds.join(", ")})`);
  }
  return outs;
}

/** UserDeletions' lifecycle with `context`'s client, store and log. */
export function makeUserDeletionsProvider(context: ProviderContext): pulumi.dynamic.ResourceProvider<DeletionsInputs, DeletionsOutputs> {
  return {
    async check(olds, news) {
      const inputs = news; // as the program declared them: the check below makes sure of the type
      if (typeof inputs.desiredDigest !== "string") return { inputs: news, failures: [{ property: "desiredDigest", reason: "is required" }] };
      if (Object.keys(olds).length === 0 && typeof inputs.desiredCount === "number") {
        await context.log.log("info", `${inputs.label}: ${fmt(inputs.desiredCount)} to send (0 already sent)`);
      }
      return { inputs: news };
    },

    async diff(_id, held, wanted) {
      const { desired, sent } = await loadSets(context, held, wanted);
      const plan = planDeletions(desired, sent);
      if (plan.droppedFromSpec > 0) await context.log.log("warning", droppedDeletionsNote(wanted.label, plan.droppedFromSpec));
      if (plan.toSend.length === 0) return { changes: false };
      await context.log.log("info", describeDeletions(wanted.label, plan));
      return { changes: true };
    },

    async create(news) {
      const id = news.label;
      return { id, outs: await carryOut(context, id, news, {}) };
    },

    async update(id, olds, news) {
      return { outs: await carryOut(context, id, news, olds) };
    },

    async delete(_id, held) {
      await context.log.log(
        "warning",
        `${held.label}: the ${fmt(held.sentCount)} deletions sent stand (Amazon has no undo). The record of them leaves the state: ` +
          "listing one again later sends it again (harmless).",
      );
    },
  };
}
