/**
 * AudienceMembership's lifecycle, run in the dynamic provider process. State holds only the
 * digest and count of the set Amazon has accepted; the sets themselves are content-addressed
 * snapshots (see provider/snapshots). Every diff is exact: plan = applied → desired.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Consent } from "../spec";
import { IdSet, applyAccepted, defaultFingerprinter, setDigest, setOfSelection, sliceRanges, planMembership, SpilledSetWriter, wholeSelection, type IdSelection, type SpilledSet } from "../plan";
import { putOverBase, SNAPSHOT_RECOVERY_HINT, SnapshotMissingError, type SnapshotStore } from "../snapshots";
import { copiesPerOperation, planWindows, SpilledCopies, WHOLE_SET, type PlanWindow } from "../sync/plan-windows";
import { engineProgress } from "../provider-process/engine-log";
import { urnOf } from "../util/urn-input";
import { syncMembership, type MembershipSyncOptions, type MembershipSyncResult } from "./membership-sync";
import { isInt64String } from "../client";
import { newAttemptId, planningBase, resolveSet, unionOf, type ResolvedSet } from "../sync/set-sync-record";
import { membershipRecordName, parseMembershipRecord, type MembershipSyncRecord } from "./membership-record";
import type { SyncHold } from "../sync/sync-hold";
import { appendHistory, historyEntry, keptHistory } from "../sync/sync-history";
import { historyRetentionMs, holdRecord, recordAtRest, sweepRetiredOnce } from "../provider-process/record-holds";
import type { ProviderContext } from "../provider-process/provider-context";
import { fmt } from "../util/format";
import { describePlan, type PlanCounts } from "./membership-line";
import { ID_TYPES_IN_WORDS, isIdType } from "../api-vocabulary";
import { PartialStateError } from "../provider-process/partial-state-error";
import { PlanCache } from "../sync/plan-cache";
import type { MembershipInputs, MembershipOutputs } from "./membership-state";
import { addCounts, inOneWindow, inWindows, prepareMembershipPlan, windowsOf, type Prepared, type PreparedPlan } from "./membership-plan";

export { describePlan, type PlanCounts } from "./membership-line";
export type { MembershipInputs, MembershipOutputs } from "./membership-state";

/** What the lifecycle of one provider context works with. */
interface Memberships {
  readonly context: ProviderContext;
  /** Plans computed in diff and used again in update (the most recent ones, see plan-cache.ts). */
  readonly plans: PlanCache<Prepared>;
  /** Copies of large sets on disk; each operation's own are deleted when it settles (see plan-windows.ts). */
  copies(): SpilledCopies;
}

/**
 * applied → desired, from the state or, when an earlier up's result never reached the state, from
 * the sync record; every in-doubt ID is re-sent in the direction the desired set wants. With a new
 * reassert token, every desired ID is sent again; if the applied snapshot is missing then,
 * removals are unknown and skipped (said in a warning).
 */
async function planFor({ context, plans, copies }: Memberships, olds: Partial<MembershipOutputs>, news: MembershipInputs, record: MembershipSyncRecord | undefined): Promise<Prepared> {
  const reassert = olds.appliedDigest !== undefined && news.reassertToken !== olds.reassertToken;
  const windows = windowsOf(context, olds, news);
  const key = [olds.appliedDigest, olds.inDoubtDigest, olds.syncAttempt, record?.attempt, record?.stage, news.desiredDigest, reassert, windows.length];
  return plans.get(key, () => prepareMembershipPlan(context, copies, olds, news, record, reassert, windows));
}

/** The sync record of this membership's audience and ID type, if any, once no other process is syncing it. */
async function recordOf(context: ProviderContext, m: MembershipInputs): Promise<MembershipSyncRecord | undefined> {
  const name = membershipRecordName(m.audienceId, m.idType);
  return parseMembershipRecord(context.store(), name, await recordAtRest(context, name, `${m.label} ${m.idType}`, urnOf(m)));
}

/** Holds the sync record of this membership's audience and ID type for a sync (see sync-hold.ts). */
async function holdOf(context: ProviderContext, m: MembershipInputs): Promise<{ hold: SyncHold; record: MembershipSyncRecord | undefined }> {
  const name = membershipRecordName(m.audienceId, m.idType);
  const hold = await holdRecord(context, name, `${m.label} ${m.idType}`, urnOf(m));
  try {
    return { hold, record: parseMembershipRecord(context.store(), name, hold.found) };
  } catch (error) {
    hold.end();
    throw error;
  }
}

/** What the answers of one sync prove: the applied set and the IDs still in doubt. */
interface SyncOutcome {
  appliedCount: number;
  appliedDigest: string;
  inDoubtCount: number;
  inDoubtDigest: string | undefined;
}

/** What the requests of a sync did, over all its windows. */
interface SyncSummary {
  acceptedAdds: number;
  acceptedRemoves: number;
  requests: number;
  firstRequestId: string | undefined;
  requestIds: string[];
  /** The first failure; nothing was sent after it. */
  error: Error | undefined;
}

/**
 * The applied set and the IDs still in doubt after a sync of one window's plan stopped part-way:
 * the base with the accepted ops applied; in doubt, the IDs whose answer proved nothing and the
 * earlier in-doubt IDs this sync did not get accepted.
 */
function afterFailure(resolved: Pick<ResolvedSet<MembershipSyncRecord>, "inDoubt">, planned: IdSet, result: MembershipSyncResult): { applied: IdSet; inDoubt: IdSet } {
  const applied = applyAccepted(planned, result.accepted.removes, result.accepted.adds);
  const acceptedIds = unionOf([result.accepted.removes, result.accepted.adds]);
  const stillInDoubt = planMembership(acceptedIds, resolved.inDoubt).adds; // earlier in-doubt IDs not accepted now
  return { applied, inDoubt: unionOf([stillInDoubt, result.unknown.removes, result.unknown.adds]) };
}

/** Writes one set from the parts each window gives, in window order, and stores it. */
async function storeFromWindows(store: SnapshotStore, copies: SpilledCopies, windows: readonly PlanWindow[], partIn: (window: PlanWindow, index: number) => Promise<IdSet>): Promise<{ digest: string; count: number }> {
  const writer = new SpilledSetWriter(copies.workDirectory(), defaultFingerprinter);
  try {
    for (const [index, window] of windows.entries()) writer.append(await partIn(window, index));
  } catch (error) {
    writer.abandon();
    throw error;
  }
  const set: SpilledSet = writer.finish();
  try {
    return { digest: await store.put(set), count: set.size };
  } finally {
    set.dispose();
  }
}

/**
 * Sends a plan with in-doubt tracking: the sync record says "sending" (durably) before the first
 * request, and "answered" with what the answers proved once they are in. IDs whose answer proved
 * nothing stay in doubt, and so do earlier in-doubt IDs this sync did not get accepted. A plan in
 * several windows sends them in turn and stops at the first failure; the windows after it keep
 * their applied and in-doubt IDs as they were.
 */
async function trackedSync(memberships: Memberships, owner: string, target: MembershipInputs | MembershipOutputs, prepared: Prepared, desiredDigest: string, attempt: string, hold: SyncHold): Promise<{ summary: SyncSummary; outcome: SyncOutcome }> {
  const { context } = memberships;
  const store = context.store();
  const copies = memberships.copies();
  const retentionMs = historyRetentionMs(context, target.historyRetentionDays);
  const history = keptHistory((hold.found as MembershipSyncRecord | undefined)?.history, hold.now().getTime(), retentionMs);
  const { windows, counts, reassert } = prepared;
  const single = windows.length === 1;
  let priorInDoubtDigest: string | undefined;
  if ((counts.inDoubt?.count ?? 0) > 0) {
    priorInDoubtDigest = single
      ? await store.put((await prepared.planIn(WHOLE_SET[0] as PlanWindow)).resolved.inDoubt)
      : (await storeFromWindows(store, copies, windows, async (window) => (await prepared.planIn(window)).resolved.inDoubt)).digest;
  }
  await hold.write({
    v: 1,
    at: hold.now().toISOString(),
    audienceId: target.audienceId,
    idType: target.idType,
    owner,
    attempt,
    history,
    stage: "sending",
    ...(prepared.appliedDigest === undefined ? {} : { baseDigest: prepared.appliedDigest }),
    ...(priorInDoubtDigest === undefined ? {} : { priorInDoubtDigest }),
    desiredDigest,
    ...(reassert ? { reassert: true } : {}),
  } satisfies MembershipSyncRecord);
  const progress = engineProgress(context.log, { label: `${target.label} ${target.idType}`, unit: "IDs", verb: "sent" }, counts.addCount + counts.removeCount, urnOf(target));
  const summary: SyncSummary = { acceptedAdds: 0, acceptedRemoves: 0, requests: 0, firstRequestId: undefined, requestIds: [], error: undefined };
  let failed: { index: number; planned: PreparedPlan; result: MembershipSyncResult } | undefined;
  for (const [index, window] of windows.entries()) {
    const planned = await prepared.planIn(window);
    const result = await syncMembership(context.client(), planned.plan, { ...syncTarget(context, target), onProgress: progress });
    summary.acceptedAdds += result.accepted.adds.size;
    summary.acceptedRemoves += result.accepted.removes.size;
    summary.requests += result.requests;
    summary.firstRequestId ??= result.requestIds[0];
    summary.requestIds.push(...result.requestIds);
    if (result.error) {
      summary.error = result.error;
      failed = { index, planned, result };
      break;
    }
  }
  let outcome: SyncOutcome;
  if (failed === undefined) {
    outcome = { appliedCount: counts.addCount + counts.unchangedCount, appliedDigest: desiredDigest, inDoubtCount: 0, inDoubtDigest: undefined };
  } else if (single && prepared.baseWindows !== undefined && prepared.appliedDigest !== undefined) {
    outcome = await outcomeOfDeltaInWindows(store, copies, prepared.baseWindows, prepared.appliedDigest, failed.result);
  } else if (single) {
    const planned = await failed.planned.base();
    const { applied, inDoubt } = afterFailure(failed.planned.resolved, planned, failed.result);
    // Nothing in doubt before: the base is the applied set as stored, so the new one can be a delta over it.
    const baseDigest = failed.planned.resolved.inDoubt.size === 0 ? failed.planned.resolved.appliedDigest : undefined;
    await putOverBase(store, applied, baseDigest, () => Promise.resolve(planned));
    outcome = { appliedCount: applied.size, appliedDigest: setDigest(applied), inDoubtCount: inDoubt.size, inDoubtDigest: inDoubt.size > 0 ? await store.put(inDoubt) : undefined };
  } else {
    outcome = await outcomeOfWindows(store, copies, prepared, desiredDigest, failed);
  }
  const at = hold.now();
  const entry = await historyEntry(store, {
    at: at.toISOString(),
    attempt,
    adds: summary.acceptedAdds,
    removes: summary.acceptedRemoves,
    requests: summary.requests,
    requestIds: summary.requestIds,
    ...(counts.inDoubt === undefined ? {} : { resent: { adds: counts.inDoubt.wanted, removes: counts.inDoubt.count - counts.inDoubt.wanted } }),
    inDoubt: outcome.inDoubtCount,
    appliedDigest: outcome.appliedDigest,
    ...(summary.error === undefined ? {} : { failed: true as const }),
  });
  await hold.write({
    v: 1,
    at: at.toISOString(),
    audienceId: target.audienceId,
    idType: target.idType,
    owner,
    attempt,
    history: appendHistory(history, entry, at.getTime(), retentionMs),
    stage: "answered",
    appliedDigest: outcome.appliedDigest,
    ...(outcome.inDoubtDigest === undefined ? {} : { inDoubtDigest: outcome.inDoubtDigest }),
    inDoubtCount: outcome.inDoubtCount,
  } satisfies MembershipSyncRecord);
  return { summary, outcome };
}

/**
 * The applied set and IDs in doubt after a windowed sync failed in window `failed.index`: windows
 * before it reached the desired set with nothing in doubt; that one is what its answers proved;
 * the ones after it were not sent, so they hold their base and their in-doubt IDs.
 */
async function outcomeOfWindows(store: SnapshotStore, copies: SpilledCopies, prepared: Prepared, desiredDigest: string, failed: { index: number; planned: PreparedPlan; result: MembershipSyncResult }): Promise<SyncOutcome> {
  const failedParts = afterFailure(failed.planned.resolved, await failed.planned.base(), failed.result);
  const partsIn = async (window: PlanWindow, index: number): Promise<{ applied: IdSet; inDoubt: IdSet }> => {
    if (index === failed.index) return failedParts;
    if (index < failed.index) return { applied: await copies.view(window).get(desiredDigest), inDoubt: IdSet.empty() };
    const planned = await prepared.planIn(window);
    return { applied: await planned.base(), inDoubt: planned.resolved.inDoubt };
  };
  const applied = await storeFromWindows(store, copies, prepared.windows, async (window, index) => (await partsIn(window, index)).applied);
  const inDoubt = await storeFromWindows(store, copies, prepared.windows, async (window, index) => (await partsIn(window, index)).inDoubt);
  return { appliedCount: applied.count, appliedDigest: applied.digest, inDoubtCount: inDoubt.count, inDoubtDigest: inDoubt.count > 0 ? inDoubt.digest : undefined };
}

/**
 * What a plan taken from a delta (nothing was in doubt) leaves after a failure, when the applied set
 * is larger than the budget: the applied set with the accepted ops applied, window by window from
 * its copy on disk (the accepted ops are at most the delta, which is small); in doubt, the ops
 * whose answer proved nothing.
 */
async function outcomeOfDeltaInWindows(store: SnapshotStore, copies: SpilledCopies, windows: readonly PlanWindow[], appliedDigest: string, result: MembershipSyncResult): Promise<SyncOutcome> {
  const removes = setOfSelection(result.accepted.removes);
  const adds = setOfSelection(result.accepted.adds);
  const applied = await storeFromWindows(store, copies, windows, async (window) => {
    const part = (set: IdSet): IdSelection => wholeSelection(sliceRanges(set, window.from, window.to));
    return applyAccepted(await copies.view(window).get(appliedDigest), part(removes), part(adds));
  });
  const inDoubt = unionOf([result.unknown.removes, result.unknown.adds]);
  return { appliedCount: applied.count, appliedDigest: applied.digest, inDoubtCount: inDoubt.size, inDoubtDigest: inDoubt.size > 0 ? await store.put(inDoubt) : undefined };
}

/** Sends the plan, then works out what is applied now, storing a snapshot of it when it is not the desired set. */
async function carryOut(memberships: Memberships, id: string, news: MembershipInputs, prepared: Prepared, hold: SyncHold): Promise<MembershipOutputs> {
  const { counts } = prepared;
  const attempt = newAttemptId();
  const { summary, outcome } = await trackedSync(memberships, news.label, news, prepared, news.desiredDigest, attempt, hold);
  await hold.release();
  const lastSync = {
    adds: summary.acceptedAdds,
    removes: summary.acceptedRemoves,
    requests: summary.requests,
    ...(summary.firstRequestId === undefined ? {} : { firstRequestId: summary.firstRequestId }),
  };
  const outputs: MembershipOutputs = {
    ...news,
    appliedDigest: outcome.appliedDigest,
    appliedCount: outcome.appliedCount,
    lastSync,
    syncAttempt: attempt,
    inDoubtCount: outcome.inDoubtCount,
    ...(outcome.inDoubtDigest === undefined ? {} : { inDoubtDigest: outcome.inDoubtDigest }),
  };
  if (!summary.error) return outputs;
  const doubt =
    outcome.inDoubtCount > 0
      ? ` ${fmt(outcome.inDoubtCount)} IDs are in doubt (sent, but the answer did not say whether Amazon applied them): ` +
        "the next `pulumi up` sends them again, as adds or removes as the spec then wants, whatever it says by then."
      : "";
  throw new PartialStateError(
    `${news.label} ${news.idType}: ${summary.error.message}\n` +
      `Amazon accepted +${fmt(lastSync.adds)} −${fmt(lastSync.removes)} of +${fmt(counts.addCount)} −${fmt(counts.removeCount)} ` +
      `in ${summary.requests} requests; that progress is recorded, and the next \`pulumi up\` sends only the rest.${doubt}`,
    id,
    outputs,
  );
}

/** Where a plan goes: this membership's audience and type, with its consent on every patch. */
function syncTarget(context: ProviderContext, m: MembershipInputs): MembershipSyncOptions {
  const tuning = context.send;
  return {
    ...(tuning?.limits === undefined ? {} : { limits: tuning.limits }),
    ...(tuning?.concurrency === undefined ? {} : { concurrency: tuning.concurrency }),
    audienceId: m.audienceId,
    idType: m.idType,
    ...(m.consent === undefined ? {} : { consent: m.consent as unknown as Record<string, unknown> }),
  };
}

function membershipId(news: MembershipInputs): string {
  return `${news.audienceId}/${news.idType}`;
}

/** The counts of what the sources left out, for the plan line. */
function leftOutOf(m: MembershipInputs): Pick<PlanCounts, "suppressed" | "skipped"> {
  return { ...(m.suppressedCount ? { suppressed: m.suppressedCount } : {}), ...(m.skippedCount ? { skipped: m.skippedCount } : {}) };
}

/** The plan line, with the snapshot recovery hint when a snapshot is missing. */
async function planLine(memberships: Memberships, held: Partial<MembershipOutputs>, wanted: MembershipInputs, record: MembershipSyncRecord | undefined): Promise<string> {
  const { context } = memberships;
  try {
    const { counts, reassert, windows } = await planFor(memberships, held, wanted, record);
    if (windows.length > 1) {
      await context.log.log("info", `${wanted.label} ${wanted.idType}: sets larger than dsp:planMemoryMB (${fmt(context.planMemoryBytes() / 1e6)} MB): planned from copies on disk in ${windows.length} windows`, urnOf(wanted));
    }
    return describePlan(wanted.label, wanted.idType, { ...counts, ...leftOutOf(wanted) }, reassert);
  } catch (e) {
    if (e instanceof SnapshotMissingError) {
      throw new Error(`${wanted.label} ${wanted.idType}: cannot plan: ${e.message}\n${SNAPSHOT_RECOVERY_HINT}`);
    }
    throw e;
  }
}

/** AudienceMembership's lifecycle with `context`'s client, store and log. */
export function makeMembershipProvider(context: ProviderContext): pulumi.dynamic.ResourceProvider<MembershipInputs, MembershipOutputs> {
  let copies: SpilledCopies | undefined;
  const memberships: Memberships = { context, plans: new PlanCache(), copies: () => (copies ??= new SpilledCopies(context.store())) };
  // Each operation's copies on disk are deleted as soon as it settles (see plan-windows.ts).
  return copiesPerOperation({
    async check(olds, news) {
      const inputs = news; // as the program declared them: the checks below make sure of the type
      const failures: pulumi.dynamic.CheckFailure[] = [];
      if (!isIdType(inputs.idType)) failures.push({ property: "idType", reason: `must be ${ID_TYPES_IN_WORDS}` });
      if (typeof inputs.desiredDigest !== "string") failures.push({ property: "desiredDigest", reason: "is required" });
      if (failures.length > 0) return { inputs: news, failures };
      // A new membership: everything desired is an add, unless an earlier up already sent some to
      // this audience (its record is found by audience id, when the id is known). Existing ones are counted in diff.
      if (Object.keys(olds).length === 0 && typeof inputs.desiredCount === "number") {
        const record = isInt64String(inputs.audienceId) ? await recordOf(context, inputs) : undefined;
        const line = record
          ? await planLine(memberships, {}, inputs, record)
          : describePlan(inputs.label, inputs.idType, { addCount: inputs.desiredCount, removeCount: 0, unchangedCount: 0, ...leftOutOf(inputs) });
        await context.log.log("info", line, urnOf(news));
      }
      return { inputs: news };
    },

    async diff(_id, held, wanted) {
      if (held.audienceId !== wanted.audienceId || held.idType !== wanted.idType) {
        return { changes: true, replaces: held.audienceId !== wanted.audienceId ? ["audienceId"] : ["idType"], deleteBeforeReplace: false };
      }
      const reassert = wanted.reassertToken !== held.reassertToken;
      const record = await recordOf(context, held);
      const settled = record === undefined || record.attempt === held.syncAttempt;
      if (held.appliedDigest === wanted.desiredDigest && !reassert && settled && !((held.inDoubtCount ?? 0) > 0)) {
        return { changes: !sameConsent(held.consent, wanted.consent) || held.label !== wanted.label };
      }
      await context.log.log("info", await planLine(memberships, held, wanted, record), urnOf(wanted));
      return { changes: true };
    },

    async create(news) {
      const { hold, record } = await holdOf(context, news);
      try {
        const prepared = await planFor(memberships, {}, news, record);
        const taken = prepared.unsettled;
        if (taken && taken.owner !== news.label) {
          await context.log.log("info", `${news.label} ${news.idType}: takes over audience ${news.audienceId} from "${taken.owner}", planning from what it left`, urnOf(news));
        }
        const outs = await carryOut(memberships, membershipId(news), news, prepared, hold);
        await sweepRetiredOnce(context, news.historyRetentionDays);
        return { id: membershipId(news), outs };
      } finally {
        hold.end();
      }
    },

    async update(id, olds, news) {
      const { hold, record } = await holdOf(context, news);
      try {
        const prepared = await planFor(memberships, olds, news, record);
        const outs = await carryOut(memberships, id, news, prepared, hold);
        const resent = prepared.counts.inDoubt?.count ?? 0;
        const note = resent > 0 ? ` (${fmt(resent)} of them re-sent)` : "";
        await context.log.log("info", `${news.label} ${news.idType}: sent +${fmt(outs.lastSync.adds)} −${fmt(outs.lastSync.removes)} in ${outs.lastSync.requests} requests${note}`, urnOf(news));
        await sweepRetiredOnce(context, news.historyRetentionDays);
        return { outs };
      } finally {
        hold.end();
      }
    },

    async delete(_id, held) {
      const { hold, record } = await holdOf(context, held);
      try {
        await deleteMembership(memberships, held, record, hold);
      } finally {
        hold.end();
      }
    },
  });
}

/** Removes every member this membership has at Amazon, then retires its sync record. */
async function deleteMembership(memberships: Memberships, held: MembershipOutputs, record: MembershipSyncRecord | undefined, hold: SyncHold): Promise<void> {
  const { context } = memberships;
  const store = context.store();
  const copies = memberships.copies();
  if (record && record.attempt !== held.syncAttempt && record.owner !== held.label) {
    await hold.release();
    // Another membership synced this audience and ID type since: it planned from what this one
    // left and owns it now. Removing this one's members would remove what that one wants.
    await context.log.log(
      "info",
      `${held.label} ${held.idType}: audience ${held.audienceId} is now managed by "${record.owner}"; nothing removed`,
      urnOf(held),
    );
    return;
  }
  const empty = IdSet.empty();
  const windows = planWindows((held.appliedCount ?? 0) + (held.inDoubtCount ?? 0), context.planMemoryBytes());
  // Removes every applied ID and every ID in doubt (removes are idempotent).
  const planIn = async (window: PlanWindow): Promise<PreparedPlan> => {
    const resolved = await resolveSet(windows.length === 1 ? store : copies.view(window), held, record);
    const base = planningBase(resolved.applied, resolved.inDoubt, empty);
    const plan = planMembership(base, empty);
    const counts: PlanCounts = { addCount: 0, removeCount: plan.removeCount, unchangedCount: 0 };
    if (resolved.inDoubt.size > 0) counts.inDoubt = { count: resolved.inDoubt.size, wanted: 0 };
    return { resolved, base: () => Promise.resolve(base), plan, reassert: false, counts };
  };
  let prepared: Prepared;
  try {
    prepared = windows.length === 1 ? inOneWindow(await planIn(WHOLE_SET[0] as PlanWindow)) : await inWindows(windows, false, planIn, (counts, window) => addCounts(counts, window.counts));
  } catch (e) {
    if (e instanceof SnapshotMissingError) {
      throw new Error(
        `${held.label} ${held.idType}: cannot remove the ${fmt(held.appliedCount)} members: ${e.message}. ` +
          "Restore the snapshot store, or drop the resource from state with `pulumi state delete` and remove the members in DSP.",
      );
    }
    throw e;
  }
  const removeCount = prepared.counts.removeCount;
  const { summary, outcome } = await trackedSync(memberships, held.label, held, prepared, await store.put(empty), newAttemptId(), hold);
  // Nothing is left in doubt: the record is kept for the history retention, then swept.
  await hold.release(summary.error ? {} : { retiredAt: hold.now().toISOString() });
  if (summary.error) {
    const doubt = outcome.inDoubtCount > 0 ? `; ${fmt(outcome.inDoubtCount)} removals are in doubt and are sent again` : "";
    throw new Error(
      `${held.label} ${held.idType}: removing members failed after ${fmt(summary.acceptedRemoves)} of ${fmt(removeCount)}: ${summary.error.message}. ` +
        `Removals are idempotent: run the destroy (or up) again${doubt}.`,
    );
  }
  await context.log.log("info", `${held.label} ${held.idType}: removed ${fmt(removeCount)} IDs in ${summary.requests} requests`, urnOf(held));
  await sweepRetiredOnce(context, held.historyRetentionDays);
}

function sameConsent(a: Consent | undefined, b: Consent | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
