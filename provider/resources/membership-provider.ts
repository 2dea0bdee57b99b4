/**
 * AudienceMembership's lifecycle, run in the dynamic provider process. State holds only the
 * digest and count of the set Amazon has accepted; the sets themselves are content-addressed
 * snapshots (see provider/snapshots). Every diff is exact: plan = applied → desired.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { Consent } from "../spec";
import { IdSet, IdSelection, applyPlan, planMembership, type MembershipIdType, type MembershipPlan } from "../plan";
import { SNAPSHOT_RECOVERY_HINT, SnapshotMissingError, type SnapshotStore } from "../snapshots";
import { engineLog } from "../runtime/engine-log";
import { syncMembership, type MembershipSyncOptions, type MembershipSyncResult } from "../sync/membership-sync";
import { configureProvider, dspClient, snapshotStore } from "./provider-context";

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
}

export interface MembershipOutputs extends MembershipInputs {
  /** Digest of the set Amazon has accepted. */
  appliedDigest: string;
  appliedCount: number;
  /** What the last create/update/recovery sent. */
  lastSync: { adds: number; removes: number; requests: number; firstRequestId?: string };
}

export const fmt = (n: number): string => n.toLocaleString("en-US");

/** "loyal-customers COOKIE: +1,234 −56 (4,000 unchanged)" */
export function describePlan(label: string, idType: string, plan: Pick<MembershipPlan, "addCount" | "removeCount" | "unchangedCount">): string {
  return `${label} ${idType}: +${fmt(plan.addCount)} −${fmt(plan.removeCount)} IDs (${fmt(plan.unchangedCount)} unchanged)`;
}

/** Plans are computed in diff and used again in update within one process. */
const planCache = new Map<string, { applied: IdSet; plan: MembershipPlan }>();

async function loadApplied(store: SnapshotStore, olds: Partial<MembershipOutputs>): Promise<IdSet> {
  return olds.appliedDigest ? store.get(olds.appliedDigest) : IdSet.empty();
}

/**
 * applied → desired. With a new reassert token, every desired ID is sent again; if the applied
 * snapshot is missing then, removals are unknown and skipped (said in a warning).
 */
async function planFor(olds: Partial<MembershipOutputs>, news: MembershipInputs): Promise<{ applied: IdSet; plan: MembershipPlan; reassert: boolean }> {
  const store = snapshotStore();
  const reassert = olds.appliedDigest !== undefined && news.reassertToken !== olds.reassertToken;
  const key = `${olds.appliedDigest ?? "-"}>${news.desiredDigest}>${reassert}`;
  const cached = planCache.get(key);
  if (cached) return { ...cached, reassert };
  const desired = await store.get(news.desiredDigest);
  let applied: IdSet;
  try {
    applied = await loadApplied(store, olds);
  } catch (e) {
    if (!(e instanceof SnapshotMissingError) || !reassert) throw e;
    await engineLog().log("warning", `${news.label} ${news.idType}: applied snapshot missing; re-asserting all ${fmt(desired.size)} IDs, removals cannot be computed`);
    applied = IdSet.empty();
  }
  let plan = planMembership(applied, desired);
  if (reassert) {
    // Re-send everything desired, keep the exact removals.
    const all = new IdSelection(desired, Uint32Array.from({ length: desired.size }, (_, i) => i));
    plan = { ...plan, adds: all, addCount: desired.size, unchangedCount: 0, isNoOp: desired.size === 0 && plan.removeCount === 0 };
  }
  planCache.set(key, { applied, plan });
  return { applied, plan, reassert };
}

/**
 * Error with partial state: the dynamic provider turns `id` + `properties` into an
 * "initialization failed" response, so the engine records them as the resource's new state and
 * prints `reasons`.
 */
class PartialSyncError extends Error {
  readonly reasons: string[];

  constructor(
    message: string,
    readonly id: string,
    readonly properties: MembershipOutputs,
  ) {
    super(message);
    this.name = "PartialSyncError";
    this.reasons = [message];
  }
}

/** Sends the plan, then works out what is applied now, storing a snapshot of it when it is not the desired set. */
async function carryOut(id: string, news: MembershipInputs, applied: IdSet, plan: MembershipPlan): Promise<MembershipOutputs> {
  const store = snapshotStore();
  const result: MembershipSyncResult = await syncMembership(dspClient(), plan, syncTarget(news));
  const lastSync = {
    adds: result.accepted.adds.size,
    removes: result.accepted.removes.size,
    requests: result.requests,
    ...(result.requestIds[0] === undefined ? {} : { firstRequestId: result.requestIds[0] }),
  };
  if (!result.error) {
    return { ...news, appliedDigest: news.desiredDigest, appliedCount: news.desiredCount, lastSync };
  }
  const partial: MembershipPlan = {
    ...plan,
    adds: result.accepted.adds,
    removes: result.accepted.removes,
    addCount: result.accepted.adds.size,
    removeCount: result.accepted.removes.size,
  };
  const now = applyPlan(applied, partial);
  const digest = await store.put(now);
  const outputs: MembershipOutputs = { ...news, appliedDigest: digest, appliedCount: now.size, lastSync };
  throw new PartialSyncError(
    `${news.label} ${news.idType}: ${result.error.message}\n` +
      `Amazon accepted +${fmt(lastSync.adds)} −${fmt(lastSync.removes)} of +${fmt(plan.addCount)} −${fmt(plan.removeCount)} ` +
      `in ${result.requests} requests; that progress is recorded, and the next \`pulumi up\` sends only the rest.`,
    id,
    outputs,
  );
}

/** Where a plan goes: this membership's audience and type, with its consent on every patch. */
function syncTarget(m: MembershipInputs): MembershipSyncOptions {
  return {
    audienceId: m.audienceId,
    idType: m.idType,
    ...(m.consent === undefined ? {} : { consent: m.consent as unknown as Record<string, unknown> }),
  };
}

function membershipId(news: MembershipInputs): string {
  return `${news.audienceId}/${news.idType}`;
}

export const membershipProvider: pulumi.dynamic.ResourceProvider = {
  configure: configureProvider,

  async check(olds, news) {
    const inputs = news as MembershipInputs;
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!["COOKIE", "MAID", "EXTERNAL_USER_ID"].includes(inputs.idType)) failures.push({ property: "idType", reason: "must be COOKIE, MAID or EXTERNAL_USER_ID" });
    if (typeof inputs.desiredDigest !== "string") failures.push({ property: "desiredDigest", reason: "is required" });
    if (failures.length > 0) return { inputs: news, failures };
    // A new membership: everything desired is an add. (Existing ones are counted in diff.)
    if (Object.keys(olds).length === 0 && typeof inputs.desiredCount === "number") {
      await engineLog().log("info", describePlan(inputs.label, inputs.idType, { addCount: inputs.desiredCount, removeCount: 0, unchangedCount: 0 }));
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
    if (held.appliedDigest === wanted.desiredDigest && !reassert) {
      return { changes: !sameConsent(held.consent, wanted.consent) || held.label !== wanted.label };
    }
    try {
      const { plan } = await planFor(held, wanted);
      await engineLog().log("info", describePlan(wanted.label, wanted.idType, plan) + (reassert ? " (re-assert: every desired ID is sent again)" : ""));
    } catch (e) {
      if (e instanceof SnapshotMissingError) {
        throw new Error(`${wanted.label} ${wanted.idType}: cannot plan: ${e.message}\n${SNAPSHOT_RECOVERY_HINT}`);
      }
      throw e;
    }
    return { changes: true };
  },

  async create(raw) {
    const news = raw as MembershipInputs;
    const { applied, plan } = await planFor({}, news);
    return { id: membershipId(news), outs: await carryOut(membershipId(news), news, applied, plan) };
  },

  async update(id, olds, raw) {
    const news = raw as MembershipInputs;
    const { applied, plan } = await planFor(olds as MembershipOutputs, news);
    const outs = await carryOut(id, news, applied, plan);
    await engineLog().log("info", `${news.label} ${news.idType}: sent +${fmt(outs.lastSync.adds)} −${fmt(outs.lastSync.removes)} in ${outs.lastSync.requests} requests`);
    return { outs };
  },

  async delete(_id, props) {
    const held = props as MembershipOutputs;
    const store = snapshotStore();
    let applied: IdSet;
    try {
      applied = await store.get(held.appliedDigest);
    } catch (e) {
      if (e instanceof SnapshotMissingError) {
        throw new Error(
          `${held.label} ${held.idType}: cannot remove the ${fmt(held.appliedCount)} members: ${e.message}. ` +
            "Restore the snapshot store, or drop the resource from state with `pulumi state delete` and remove the members in DSP.",
        );
      }
      throw e;
    }
    const plan = planMembership(applied, IdSet.empty());
    const result = await syncMembership(dspClient(), plan, syncTarget(held));
    if (result.error) {
      throw new Error(
        `${held.label} ${held.idType}: removing members failed after ${fmt(result.accepted.removes.size)} of ${fmt(plan.removeCount)}: ${result.error.message}. ` +
          "Removals are idempotent: run the destroy again.",
      );
    }
    await engineLog().log("info", `${held.label} ${held.idType}: removed ${fmt(plan.removeCount)} IDs in ${result.requests} requests`);
  },
};

function sameConsent(a: Consent | undefined, b: Consent | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
