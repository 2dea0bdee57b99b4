/**
 * A membership's plan: applied → desired, from the state or the sync record, from a stored delta when
 * one is the change, in one window or (above `dsp:planMemoryMB`) in windows of fingerprint ranges.
 */
import { IdSet, planFromDelta, wholeSelection, type MembershipPlan } from "../plan";
import { isReadable, type SnapshotStore } from "../snapshots";
import { planWindows, WHOLE_SET, type PlanWindow, type SpilledCopies } from "../sync/plan-windows";
import type { EngineLog } from "../provider-process/engine-log";
import type { ProviderContext } from "../provider-process/provider-context";
import { urnOf } from "../util/urn-input";
import { planningBase, wantedInDoubt, type ResolvedSet } from "../sync/set-sync-record";
import { planSync } from "../sync/sync-plan";
import { fmt } from "../util/format";
import type { MembershipSyncRecord } from "./membership-record";
import type { PlanCounts } from "./membership-line";
import type { MembershipInputs, MembershipOutputs } from "./membership-state";

/** Everything a sync of one window of a membership starts from. */
export interface PreparedPlan {
  resolved: Pick<ResolvedSet<MembershipSyncRecord>, "appliedDigest" | "inDoubt" | "unsettled">;
  /**
   * The set the plan was diffed against (applied, with the in-doubt IDs placed so they are re-sent).
   * Read on demand: a plan taken from a delta needs it only when a sync stops part-way.
   */
  base: () => Promise<IdSet>;
  plan: MembershipPlan;
  reassert: boolean;
  counts: PlanCounts;
}

/**
 * A membership's plan, as one window or (when its sets exceed `dsp:planMemoryMB`) several windows
 * of fingerprint ranges, each planned and sent on its own from copies of the sets on disk.
 */
export interface Prepared {
  windows: readonly PlanWindow[];
  /** The sums over all windows. */
  counts: PlanCounts;
  reassert: boolean;
  /** The record that overrode the state, when one did (the same for every window). */
  unsettled: MembershipSyncRecord | undefined;
  appliedDigest: string | undefined;
  /**
   * A plan taken from a delta is one window, but when its sets exceed the memory budget, the
   * applied set after a failure part-way is written in these windows (the base is not read whole).
   */
  baseWindows?: readonly PlanWindow[];
  /** The plan of one window (computed again for each call when there are several windows). */
  planIn(window: PlanWindow): Promise<PreparedPlan>;
}

/** The windows a plan of these sets needs within the memory budget (see plan-windows.ts). */
export function windowsOf(context: ProviderContext, olds: Partial<MembershipOutputs>, news: MembershipInputs): readonly PlanWindow[] {
  const ids = (news.desiredCount ?? 0) + (olds.appliedCount ?? 0) + (olds.inDoubtCount ?? 0);
  return planWindows(ids, context.planMemoryBytes());
}

/**
 * Plans applied → desired; every in-doubt ID is re-sent in the direction the desired set wants. With
 * `reassert`, every desired ID is sent again; if the applied snapshot is missing then, removals are
 * unknown and skipped (said in a warning).
 */
export async function prepareMembershipPlan(
  context: ProviderContext,
  copies: () => SpilledCopies,
  olds: Partial<MembershipOutputs>,
  news: MembershipInputs,
  record: MembershipSyncRecord | undefined,
  reassert: boolean,
  windows: readonly PlanWindow[],
): Promise<Prepared> {
  const warnOnce = reassertWithoutApplied(context.log, news);
  // A stored delta is the plan whatever the sets' size: only the change is read.
  const fromDelta = reassert ? undefined : await planFromStoredDelta(context.store(), olds, news, record);
  if (fromDelta !== undefined) return { ...inOneWindow(fromDelta), ...(windows.length > 1 ? { baseWindows: windows } : {}) };
  if (windows.length === 1) return inOneWindow(await planWindow(context.store(), olds, news, record, reassert, warnOnce));
  const planIn = (window: PlanWindow): Promise<PreparedPlan> => planWindow(copies().view(window), olds, news, record, reassert, warnOnce);
  return inWindows(windows, reassert, planIn, (counts, window) => addCounts(counts, window.counts));
}

/** The plan of one window: the whole plan when the window is the whole set. */
async function planWindow(
  store: SnapshotStore,
  olds: Partial<MembershipOutputs>,
  news: MembershipInputs,
  record: MembershipSyncRecord | undefined,
  reassert: boolean,
  onMissingApplied: () => Promise<ResolvedSet<MembershipSyncRecord>>,
): Promise<PreparedPlan> {
  const planned = await planSync(store, olds, record, news.desiredDigest, {
    baseOf: planningBase,
    ...(reassert ? { onMissingApplied } : {}),
  });
  const { resolved, desired, base } = planned;
  let plan = planned.plan;
  if (reassert) {
    // Re-send everything desired, keep the exact removals.
    plan = { ...plan, adds: wholeSelection(desired), addCount: desired.size, unchangedCount: 0, isNoOp: desired.size === 0 && plan.removeCount === 0 };
  }
  const counts: PlanCounts = { addCount: plan.addCount, removeCount: plan.removeCount, unchangedCount: plan.unchangedCount };
  if (resolved.inDoubt.size > 0) counts.inDoubt = { count: resolved.inDoubt.size, wanted: wantedInDoubt(resolved.inDoubt, desired) };
  return { resolved, base: () => Promise.resolve(base), plan, reassert, counts };
}

export function inOneWindow(plan: PreparedPlan): Prepared {
  return {
    windows: WHOLE_SET,
    counts: plan.counts,
    reassert: plan.reassert,
    unsettled: plan.resolved.unsettled,
    appliedDigest: plan.resolved.appliedDigest,
    planIn: () => Promise.resolve(plan),
  };
}

/** Plans every window once for the sums (each window's sets are dropped before the next is read). */
export async function inWindows(
  windows: readonly PlanWindow[],
  reassert: boolean,
  planIn: (window: PlanWindow) => Promise<PreparedPlan>,
  add: (counts: PlanCounts, window: PreparedPlan) => void,
): Promise<Prepared> {
  const counts: PlanCounts = { addCount: 0, removeCount: 0, unchangedCount: 0 };
  let first: PreparedPlan | undefined;
  for (const window of windows) {
    const planned = await planIn(window);
    first ??= planned;
    add(counts, planned);
  }
  const resolved = (first as PreparedPlan).resolved;
  return { windows, counts, reassert, unsettled: resolved.unsettled, appliedDigest: resolved.appliedDigest, planIn };
}

export function addCounts(sum: PlanCounts, part: PlanCounts): void {
  sum.addCount += part.addCount;
  sum.removeCount += part.removeCount;
  sum.unchangedCount += part.unchangedCount;
  if (part.inDoubt !== undefined) {
    const held = sum.inDoubt ?? { count: 0, wanted: 0 };
    sum.inDoubt = { count: held.count + part.inDoubt.count, wanted: held.wanted + part.inDoubt.wanted };
  }
}

function emptyResolution(): ResolvedSet<MembershipSyncRecord> {
  return { appliedDigest: undefined, applied: IdSet.empty(), inDoubt: IdSet.empty() };
}

/**
 * With a new reassert token and no applied snapshot: every desired ID is sent, removals are unknown
 * (said in one warning, however many windows ask).
 */
function reassertWithoutApplied(log: EngineLog, news: MembershipInputs): () => Promise<ResolvedSet<MembershipSyncRecord>> {
  let warned = false;
  return async () => {
    if (!warned) {
      warned = true;
      await log.log("warning", `${news.label} ${news.idType}: applied snapshot missing; re-asserting all ${fmt(news.desiredCount)} IDs, removals cannot be computed`, urnOf(news));
    }
    return emptyResolution();
  };
}

/**
 * When the desired set is stored as a delta over exactly the applied set, with nothing in doubt and
 * no attempt the state does not reflect, the delta is the plan: no set is read whole. Undefined
 * otherwise (the full merge then plans).
 */
async function planFromStoredDelta(store: SnapshotStore, olds: Partial<MembershipOutputs>, news: MembershipInputs, record: MembershipSyncRecord | undefined): Promise<PreparedPlan | undefined> {
  const appliedDigest = olds.appliedDigest;
  const settled = record === undefined || record.attempt === olds.syncAttempt;
  if (appliedDigest === undefined || !settled || olds.inDoubtDigest !== undefined) return undefined;
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
