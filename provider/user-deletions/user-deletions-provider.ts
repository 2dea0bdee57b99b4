/**
 * UserDeletions' lifecycle, run in the dynamic provider process. Desired deletions and the
 * deletions already sent are content-addressed snapshots (state holds digests, counts and
 * requestIds). A deletion is identified by type + value + advertiserId; once sent it is never
 * sent again, and leaving the spec does not undo it (the API has no undo).
 */
import type * as pulumi from "@pulumi/pulumi";
import { IdSet, idSetFrom, RANGE_COUNT } from "../plan";
import { SNAPSHOT_RECOVERY_HINT, SnapshotMissingError } from "../snapshots";
import { PartialStateError } from "../provider-process/partial-state-error";
import type { ProviderContext } from "../provider-process/provider-context";
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
import { copiesPerOperation, lazyCopies, type SpilledCopies } from "../sync/plan-windows";
import { KeyedSetWriter } from "../sync/keyed-windows";
import { planDeletionsIn, type PlannedDeletions } from "./deletions-plan";

/** What the lifecycle of one context works with. */
interface Deletions {
  readonly context: ProviderContext;
  /** Copies of large sets on disk; each operation's own are deleted when it settles (see plan-windows.ts). */
  copies(): SpilledCopies;
}

/** The plan, in memory or in windows (see deletions-plan.ts); a lost snapshot says how to recover. */
async function planFor({ context, copies }: Deletions, olds: Partial<DeletionsOutputs>, news: DeletionsInputs): Promise<PlannedDeletions> {
  try {
    return await planDeletionsIn({ store: context.store(), copies: copies(), memoryBytes: context.planMemoryBytes() }, olds, news);
  } catch (e) {
    if (e instanceof SnapshotMissingError) throw new Error(`${news.label}: cannot plan: ${e.message}\n${SNAPSHOT_RECOVERY_HINT}`);
    throw e;
  }
}

/**
 * Sends what was not sent before, one request per body, and records every accepted one. A plan in
 * windows sends them in turn and stops at the first failure.
 */
async function carryOut(deletions: Deletions, id: string, news: DeletionsInputs, olds: Partial<DeletionsOutputs>): Promise<DeletionsOutputs> {
  const { context } = deletions;
  const prepared = await planFor(deletions, olds, news);
  const sentNow: string[] = [];
  const requests = [...(olds.requests ?? [])];
  let error: Error | undefined;
  let sent = IdSet.empty();
  for (const window of prepared.windows) {
    const planned = await prepared.planIn(window);
    sent = planned.sent;
    ({ error } = await sendDeletions(context.client(), planned.plan.toSend, (body) => {
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
    stored = { digest: sentNow.length === 0 && olds.sentDigest !== undefined ? olds.sentDigest : await context.store().put(all), count: all.size };
  } else if (sentNow.length === 0 && olds.sentDigest !== undefined) {
    stored = { digest: olds.sentDigest, count: olds.sentCount ?? 0 };
  } else {
    // The sent set grows by what was sent now, without being read whole.
    const writer = new KeyedSetWriter(deletions.copies(), context.planMemoryBytes());
    const before = await prepared.sentCopy();
    for (let range = 0; before !== undefined && range < RANGE_COUNT; range++) writer.add(before.ranges(range, range + 1));
    writer.add(idSetFrom(sentNow));
    stored = await writer.store(context.store());
  }
  // The inputs carry the serialized provider (`__provider`), which every recorded state needs.
  const outs: DeletionsOutputs = { ...news, sentDigest: stored.digest, sentCount: stored.count, requests };
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
    await context.log.log("info", `${news.label}: sent ${what} (requestId${newIds.length === 1 ? "" : "s"} ${newIds.join(", ")})`);
  }
  return outs;
}

/** UserDeletions' lifecycle with `context`'s client, store and log. */
export function makeUserDeletionsProvider(context: ProviderContext): pulumi.dynamic.ResourceProvider<DeletionsInputs, DeletionsOutputs> {
  const deletions: Deletions = { context, copies: lazyCopies(() => context.store()) };
  // Each operation's copies on disk (a plan in windows) are deleted as soon as it settles (see plan-windows.ts).
  return copiesPerOperation({
    async check(olds, news) {
      const inputs = news; // as the program declared them: the check below makes sure of the type
      if (typeof inputs.desiredDigest !== "string") return { inputs: news, failures: [{ property: "desiredDigest", reason: "is required" }] };
      if (Object.keys(olds).length === 0 && typeof inputs.desiredCount === "number") {
        await context.log.log("info", `${inputs.label}: ${fmt(inputs.desiredCount)} to send (0 already sent)`);
      }
      return { inputs: news };
    },

    async diff(_id, held, wanted) {
      const plan = await planFor(deletions, held, wanted);
      if (plan.droppedFromSpec > 0) await context.log.log("warning", droppedDeletionsNote(wanted.label, plan.droppedFromSpec));
      if (plan.toSend === 0) return { changes: false };
      await context.log.log("info", describeDeletions(wanted.label, { toSend: { length: plan.toSend }, alreadySent: plan.alreadySent }));
      return { changes: true };
    },

    async create(news) {
      const id = news.label;
      return { id, outs: await carryOut(deletions, id, news, {}) };
    },

    async update(id, olds, news) {
      return { outs: await carryOut(deletions, id, news, olds) };
    },

    async delete(_id, held) {
      await context.log.log(
        "warning",
        `${held.label}: the ${fmt(held.sentCount)} deletions sent stand (Amazon has no undo). The record of them leaves the state: ` +
          "listing one again later sends it again (harmless).",
      );
    },
  });
}
