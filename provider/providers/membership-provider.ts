/**
 * AudienceMembership's lifecycle, run in the dynamic provider process. State holds only the
 * digest and count of the set Amazon has accepted; the sets themselves are content-addressed
 * snapshots (see provider/snapshots). Every diff is exact: plan = applied → desired.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Consent } from "../spec";
import { IdSet, applyAccepted, setDigest, planFromDelta, planMembership, wholeSelection, type MembershipIdType, type MembershipPlan } from "../plan";
import { isReadable, putOverBase, SNAPSHOT_RECOVERY_HINT, SnapshotMissingError } from "../snapshots";
import { engineLog, engineProgress } from "./engine-log";
import { urnOf } from "../util/urn-input";
import { syncMembership, type MembershipSyncOptions, type MembershipSyncResult } from "../records/membership-sync";
import { isInt64String } from "../client";
import {
  newAttemptId,
  planningBase,
  readMembershipRecord,
  resolveMembership,
  unionOf,
  wantedInDoubt,
  writeMembershipRecord,
  type MembershipSyncRecord,
  type ResolvedMembership,
} from "../records/membership-record";
import { planSync } from "../records/sync-plan";
import { configureProvider, dspClient, providerOverrides, snapshotStore } from "./provider-context";
import { fmt } from "../util/format";
import { describePlan, type PlanCounts } from "../gitops/membership-line";

export { describePlan, type PlanCounts } from "../gitops/membership-line";
import { ID_TYPES_IN_WORDS, isIdType } from "../api-vocabulary";
import { PartialStateError } from "./partial-state-error";
import { PlanCache } from "./plan-cache";

export interface MembershipInputs {
  /** Audience id (int64 decimal string). */
  audienceId: string;
  idType: MembershipIdType;
  /** Digest of the desired set, already in the snapshot store. */
  desiredDigest: string;
  desiredCount: number;
  /** Human label for messages, e.g. the spec key. */
  label: string;
  consent?: Consent;
  /**
   * Changing this value re-sends the whole desired set (recovery, or refreshing membership TTLs).
   * Without an applied snapshot, removals cannot be computed and none are sent.
   */
  reassertToken?: string;
  /** Members the spec's suppression list removed (issue 15); shown in the plan line. */
  suppressedCount?: number;
  /** Source rows `onInvalid: skip` left out (issue 15); shown in the plan line. */
  skippedCount?: number;
}

export interface MembershipOutputs extends MembershipInputs {
  /** Digest of the set Amazon has accepted. */
  appliedDigest: string;
  appliedCount: number;
  /** What the last create/update/recovery sent. */
  lastSync: { adds: number; removes: number; requests: number; firstRequestId?: string };
  /** The sync attempt this state reflects (see membership-record.ts). */
  syncAttempt?: string;
  /** IDs sent whose outcome Amazon's answer did not prove (a snapshot); re-sent by the next up. */
  inDoubtDigest?: string;
  inDoubtCount?: number;
}


/** The counts of a plan line; `inDoubt` of the adds and removes are re-sends of IDs in doubt. */
/** Everything a sync of one membership starts from. */
interface PreparedPlan {
  resolved: Pick<ResolvedMembership, "appliedDigest" | "inDoubt" | "unsettled">;
  /**
   * The set the plan was diffed against (applied, with the in-doubt IDs placed so they are re-sent).
   * Read on demand: a plan taken from a delta needs it only when a sync stops part-way.
   */
  base: () => Promise<IdSet>;
  plan: MembershipPlan;
  reassert: boolean;
  counts: PlanCounts;
}

/** Plans are computed in diff and used again in update within one process. */
const planCache = new PlanCache<PreparedPlan>();

/**
 * applied → desired, from the state or, when an earlier up's result never reached the state, from
 * the sync record; every in-doubt ID is re-sent in the direction the desired set wants. With a new
 * reassert token, every desired ID is sent again; if the applied snapshot is missing then,
 * removals are unknown and skipped (said in a warning).
 */
async function planFor(olds: Partial<MembershipOutputs>, news: MembershipInputs, record: MembershipSyncRecord | undefined): Promise<PreparedPlan> {
  const reassert = olds.appliedDigest !== undefined && news.reassertToken !== olds.reassertToken;
  const key = [olds.appliedDigest, olds.inDoubtDigest, olds.syncAttempt, record?.attempt, record?.stage, news.desiredDigest, reassert];
  return planCache.get(key, async () => {
    const fromDelta = reassert ? undefined : await planFromStoredDelta(olds, news, record);
    if (fromDelta !== undefined) return fromDelta;
    const planned = await planSync(snapshotStore(), olds, record, news.desiredDigest, {
      baseOf: planningBase,
      ...(reassert ? { onMissingApplied: reassertWithoutApplied(news) } : {}),
    });
    const { resolved, desired, base } = planned;
    let plan = planned.plan;
    if (reassert) {
      // Re-send everything desired, keep the exact removals.
      plan = { ...plan, adds: wholeSelection(desired), addCount: desired.size, unchangedCount: 0, isNoOp: desired.size === 0 && plan.removeCount === 0 };
    }
    const counts: PlanCounts = { addCount: plan.addCount, removeCount: plan.removeCount, unchangedCount: plan.unchangedCount };
    if (resolved.inDoubt.size > 0) counts.inDoubt = { count: resolved.inDoubt.size, wanted: wantedInDoubt(resolved.inDoubt, desired) };
    const prepared: PreparedPlan = { resolved, base: () => Promise.resolve(base), plan, reassert, counts };
    return prepared;
  });
}

/** With a new reassert token and no applied snapshot: every desired ID is sent, removals are unknown (said in a warning). */
function reassertWithoutApplied(news: MembershipInputs): (error: SnapshotMissingError, desired: IdSet) => Promise<ResolvedMembership> {
  return async (_error, desired) => {
    await engineLog().log("warning", `${news.label} ${news.idType}: applied snapshot missing; re-asserting all ${fmt(desired.size)} IDs, removals cannot be computed`, urnOf(news));
    return { appliedDigest: undefined, applied: IdSet.empty(), inDoubt: IdSet.empty() };
  };
}

/**
 * When the desired set is stored as a delta over exactly the applied set, with nothing in doubt and
 * no attempt the state does not reflect, the delta is the plan: no set is read whole. Undefined
 * otherwise (the full merge then plans).
 */
async function planFromStoredDelta(olds: Partial<MembershipOutputs>, news: MembershipInputs, record: MembershipSyncRecord | undefined): Promise<PreparedPlan | undefined> {
  const appliedDigest = olds.appliedDigest;
  const settled = record === undefined || record.attempt === olds.syncAttempt;
  if (appliedDigest === undefined || !settled || olds.inDoubtDigest !== undefined) return undefined;
  const store = snapshotStore();
  const delta = await store.getDelta(news.desiredDigest);
  // The applied set must be readable, as for any plan: a lost snapshot is reported, not planned around.
  if (delta?.baseDigest !== appliedDigest || !(await isReadable(store, appliedDigest))) return undefined;
  const plan = planFromDelta(delta, delta.resultCount);
  return {
    resolved: { appliedDigest, inDoubt: IdSet.empty() },
    base: () => store.get(appliedDigest),
    plan,
    reassert: false,
    counts: { addCount: plan.addCount, removeCount: plan.removeCount, unchangedCount: plan.unchangedCount },
  };
}

/** The sync record of this membership's audience and ID type, if any. */
function recordOf(m: Pick<MembershipInputs, "audienceId" | "idType">): Promise<MembershipSyncRecord | undefined> {
  return readMembershipRecord(snapshotStore(), m.audienceId, m.idType);
}

/** What the answers of one sync prove: the applied set and the IDs still in doubt. */
interface SyncOutcome {
  appliedCount: number;
  appliedDigest: string;
  inDoubt: IdSet;
  inDoubtDigest: string | undefined;
}

/**
 * Sends a plan with in-doubt tracking: the sync record says "sending" (durably) before the first
 * request, and "answered" with what the answers proved once they are in. IDs whose answer proved
 * nothing stay in doubt, and so do earlier in-doubt IDs this sync did not get accepted.
 */
async function trackedSync(owner: string, target: MembershipInputs | MembershipOutputs, prepared: Pick<PreparedPlan, "resolved" | "base" | "plan" | "reassert">, desiredDigest: string, attempt: string): Promise<{ result: MembershipSyncResult; outcome: SyncOutcome }> {
  const store = snapshotStore();
  const { resolved, base, plan, reassert } = prepared;
  const priorInDoubtDigest = resolved.inDoubt.size > 0 ? await store.put(resolved.inDoubt) : undefined;
  await writeMembershipRecord(store, {
    audienceId: target.audienceId,
    idType: target.idType,
    owner,
    attempt,
    stage: "sending",
    ...(resolved.appliedDigest === undefined ? {} : { baseDigest: resolved.appliedDigest }),
    ...(priorInDoubtDigest === undefined ? {} : { priorInDoubtDigest }),
    desiredDigest,
    ...(reassert ? { reassert: true } : {}),
  });
  const progress = engineProgress({ label: `${target.label} ${target.idType}`, unit: "IDs", verb: "sent" }, plan.addCount + plan.removeCount, urnOf(target));
  const result = await syncMembership(dspClient(), plan, { ...syncTarget(target), onProgress: progress });
  let outcome: SyncOutcome;
  if (!result.error) {
    outcome = { appliedCount: plan.addCount + plan.unchangedCount, appliedDigest: desiredDigest, inDoubt: IdSet.empty(), inDoubtDigest: undefined };
  } else {
    const planned = await base();
    const applied = applyAccepted(planned, result.accepted.removes, result.accepted.adds);
    const acceptedIds = unionOf([result.accepted.removes, result.accepted.adds]);
    const stillInDoubt = planMembership(acceptedIds, resolved.inDoubt).adds; // earlier in-doubt IDs not accepted now
    const inDoubt = unionOf([stillInDoubt, result.unknown.removes, result.unknown.adds]);
    // Nothing in doubt before: the base is the applied set as stored, so the new one can be a delta over it.
    const baseDigest = resolved.inDoubt.size === 0 ? resolved.appliedDigest : undefined;
    await putOverBase(store, applied, baseDigest, () => Promise.resolve(planned));
    outcome = {
      appliedCount: applied.size,
      appliedDigest: setDigest(applied),
      inDoubt,
      inDoubtDigest: inDoubt.size > 0 ? await store.put(inDoubt) : undefined,
    };
  }
  await writeMembershipRecord(store, {
    audienceId: target.audienceId,
    idType: target.idType,
    owner,
    attempt,
    stage: "answered",
    appliedDigest: outcome.appliedDigest,
    ...(outcome.inDoubtDigest === undefined ? {} : { inDoubtDigest: outcome.inDoubtDigest }),
    inDoubtCount: outcome.inDoubt.size,
  });
  return { result, outcome };
}

/** Sends the plan, then works out what is applied now, storing a snapshot of it when it is not the desired set. */
async function carryOut(id: string, news: MembershipInputs, prepared: PreparedPlan): Promise<MembershipOutputs> {
  const { plan } = prepared;
  const attempt = newAttemptId();
  const { result, outcome } = await trackedSync(news.label, news, prepared, news.desiredDigest, attempt);
  const lastSync = {
    adds: result.accepted.adds.size,
    removes: result.accepted.removes.size,
    requests: result.requests,
    ...(result.requestIds[0] === undefined ? {} : { firstRequestId: result.requestIds[0] }),
  };
  const outputs: MembershipOutputs = {
    ...news,
    appliedDigest: outcome.appliedDigest,
    appliedCount: outcome.appliedCount,
    lastSync,
    syncAttempt: attempt,
    inDoubtCount: outcome.inDoubt.size,
    ...(outcome.inDoubtDigest === undefined ? {} : { inDoubtDigest: outcome.inDoubtDigest }),
  };
  if (!result.error) return outputs;
  const doubt =
    outcome.inDoubt.size > 0
      ? ` ${fmt(outcome.inDoubt.size)} IDs are in doubt (sent, but the answer did not say whether Amazon applied them): ` +
        "the next `pulumi up` sends them again, as adds or removes as the spec then wants, whatever it says by then."
      : "";
  throw new PartialStateError(
    `${news.label} ${news.idType}: ${result.error.message}\n` +
      `Amazon accepted +${fmt(lastSync.adds)} −${fmt(lastSync.removes)} of +${fmt(plan.addCount)} −${fmt(plan.removeCount)} ` +
      `in ${result.requests} requests; that progress is recorded, and the next \`pulumi up\` sends only the rest.${doubt}`,
    id,
    outputs,
  );
}

/** Where a plan goes: this membership's audience and type, with its consent on every patch. */
function syncTarget(m: MembershipInputs): MembershipSyncOptions {
  const tuning = providerOverrides().sync;
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
async function planLine(held: Partial<MembershipOutputs>, wanted: MembershipInputs, record: MembershipSyncRecord | undefined): Promise<string> {
  try {
    const { counts, reassert } = await planFor(held, wanted, record);
    return describePlan(wanted.label, wanted.idType, { ...counts, ...leftOutOf(wanted) }, reassert);
  } catch (e) {
    if (e instanceof SnapshotMissingError) {
      throw new Error(`${wanted.label} ${wanted.idType}: cannot plan: ${e.message}\n${SNAPSHOT_RECOVERY_HINT}`);
    }
    throw e;
  }
}

export const membershipProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureProvider,

  async check(olds, news) {
    const inputs = news as MembershipInputs;
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!isIdType(inputs.idType)) failures.push({ property: "idType", reason: `must be ${ID_TYPES_IN_WORDS}` });
    if (typeof inputs.desiredDigest !== "string") failures.push({ property: "desiredDigest", reason: "is required" });
    if (failures.length > 0) return { inputs: news, failures };
    // A new membership: everything desired is an add, unless an earlier up already sent some to
    // this audience (its record is found by audience id, when the id is known). Existing ones are counted in diff.
    if (Object.keys(olds).length === 0 && typeof inputs.desiredCount === "number") {
      const record = isInt64String(inputs.audienceId) ? await recordOf(inputs) : undefined;
      const line = record
        ? await planLine({}, inputs, record)
        : describePlan(inputs.label, inputs.idType, { addCount: inputs.desiredCount, removeCount: 0, unchangedCount: 0, ...leftOutOf(inputs) });
      await engineLog().log("info", line, urnOf(news));
    }
    return { inputs: news };
  },

  async diff(_id, olds, news) {
    const held = olds as MembershipOutputs;
    const wanted = news as MembershipInputs;
    if (held.audienceId !== wanted.audienceId || held.idType !== wanted.idType) {
      return { changes: true, replaces: held.audienceId !== wanted.audienceId ? ["audienceId"] : ["idType"], deleteBeforeReplace: false };
    }
    const reassert = wanted.reassertToken !== held.reassertToken;
    const record = await recordOf(held);
    const settled = record === undefined || record.attempt === held.syncAttempt;
    if (held.appliedDigest === wanted.desiredDigest && !reassert && settled && !((held.inDoubtCount ?? 0) > 0)) {
      return { changes: !sameConsent(held.consent, wanted.consent) || held.label !== wanted.label };
    }
    await engineLog().log("info", await planLine(held, wanted, record), urnOf(news));
    return { changes: true };
  },

  async create(raw) {
    const news = raw as MembershipInputs;
    const prepared = await planFor({}, news, await recordOf(news));
    const taken = prepared.resolved.unsettled;
    if (taken && taken.owner !== news.label) {
      await engineLog().log("info", `${news.label} ${news.idType}: takes over audience ${news.audienceId} from "${taken.owner}", planning from what it left`, urnOf(news));
    }
    return { id: membershipId(news), outs: await carryOut(membershipId(news), news, prepared) };
  },

  async update(id, olds, raw) {
    const news = raw as MembershipInputs;
    const prepared = await planFor(olds as MembershipOutputs, news, await recordOf(news));
    const outs = await carryOut(id, news, prepared);
    await engineLog().log("info", `${news.label} ${news.idType}: sent +${fmt(outs.lastSync.adds)} −${fmt(outs.lastSync.removes)} in ${outs.lastSync.requests} requests`, urnOf(news));
    return { outs };
  },

  async delete(_id, props) {
    const held = props as MembershipOutputs;
    const store = snapshotStore();
    const record = await recordOf(held);
    if (record && record.attempt !== held.syncAttempt && record.owner !== held.label) {
      // Another membership synced this audience and ID type since: it planned from what this one
      // left and owns it now. Removing this one's members would remove what that one wants.
      await engineLog().log(
        "info",
        `${held.label} ${held.idType}: audience ${held.audienceId} is now managed by "${record.owner}"; nothing removed`,
        urnOf(held),
      );
      return;
    }
    let resolved: ResolvedMembership;
    try {
      resolved = await resolveMembership(store, held, record);
    } catch (e) {
      if (e instanceof SnapshotMissingError) {
        throw new Error(
          `${held.label} ${held.idType}: cannot remove the ${fmt(held.appliedCount)} members: ${e.message}. ` +
            "Restore the snapshot store, or drop the resource from state with `pulumi state delete` and remove the members in DSP.",
        );
      }
      throw e;
    }
    const empty = IdSet.empty();
    // Removes every applied ID and every ID in doubt (removes are idempotent).
    const base = planningBase(resolved.applied, resolved.inDoubt, empty);
    const plan = planMembership(base, empty);
    const { result, outcome } = await trackedSync(held.label, held, { resolved, base: () => Promise.resolve(base), plan, reassert: false }, await store.put(empty), newAttemptId());
    if (result.error) {
      const doubt = outcome.inDoubt.size > 0 ? `; ${fmt(outcome.inDoubt.size)} removals are in doubt and are sent again` : "";
      throw new Error(
        `${held.label} ${held.idType}: removing members failed after ${fmt(result.accepted.removes.size)} of ${fmt(plan.removeCount)}: ${result.error.message}. ` +
          `Removals are idempotent: run the destroy (or up) again${doubt}.`,
      );
    }
    await engineLog().log("info", `${held.label} ${held.idType}: removed ${fmt(plan.removeCount)} IDs in ${result.requests} requests`, urnOf(held));
  },
};

function sameConsent(a: Consent | undefined, b: Consent | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
