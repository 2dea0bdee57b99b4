/**
 * The plan of a hashed-records upload: applied → desired over `externalId:rowDigest` keys, the
 * keys of in-doubt externalIds left out of the base, and the plan's counts in records. When the
 * sets exceed `dsp:planMemoryMB` it is made in windows (issue 25), like a membership's, but by the
 * fingerprint of each key's externalId: a changed record (an add and a remove of one externalId)
 * and an in-doubt externalId's keys then fall in one window, so each window's plan is exactly the
 * whole plan's part in it, and the windows' counts add up to the whole plan's.
 */
import { IdSelection, IdSet, applyPlan, idSetFrom, planMembership, type MembershipPlan } from "../plan";
import type { SnapshotStore } from "../snapshots";
import { planWindows, WHOLE_SET, type PlanWindow, type SpilledCopies } from "../sync/plan-windows";
import { keyedView } from "../sync/keyed-windows";
import { planSync } from "../sync/sync-plan";
import { unionOf, type HeldSet, type SetSyncRecord, type ResolvedSet } from "../sync/set-sync-record";
import { externalIdOfKey } from "./records-source";

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

/** The plan of one window (the whole plan when the window is the whole set). */
export interface RecordsWindowPlan {
  resolved: ResolvedSet;
  /** The applied set the plan starts from (in-doubt externalIds left out). */
  base: IdSet;
  desired: IdSet;
  plan: MembershipPlan;
  summary: RecordsPlanSummary;
}

/** An upload's plan, in one window or several. */
export interface RecordsPlan {
  windows: readonly PlanWindow[];
  /** The sums over all windows. */
  summary: RecordsPlanSummary;
  /** Keys in doubt before this plan, over all windows. */
  inDoubtCount: number;
  /** The applied set the plan starts from, as the state or the sync record say. */
  appliedDigest: string | undefined;
  /** The plan of one window (computed again for each call when there are several windows). */
  planIn(window: PlanWindow): Promise<RecordsWindowPlan>;
}

/** What a records plan reads and how much memory it may take. */
export interface RecordsPlanContext {
  store: SnapshotStore;
  /** Copies of sets on disk for plans in windows (the operation's own). */
  copies: SpilledCopies;
  /** `dsp:planMemoryMB` in bytes. */
  memoryBytes: number;
}

/** The windows of a plan over these sets within the budget. */
export function recordsWindows(held: { appliedCount?: number; inDoubtCount?: number }, desiredCount: number, memoryBytes: number): readonly PlanWindow[] {
  return planWindows(desiredCount + (held.appliedCount ?? 0) + (held.inDoubtCount ?? 0), memoryBytes);
}

/**
 * applied → desired, from the state or (when an earlier upload's result never reached it) the
 * sync record; in one window when the sets fit the budget, else one window of externalIds at a time.
 */
export async function planRecords(
  context: RecordsPlanContext,
  held: HeldSet & { appliedCount?: number; inDoubtCount?: number },
  record: SetSyncRecord | undefined,
  desired: { digest: string; count: number },
): Promise<RecordsPlan> {
  const windows = recordsWindows(held, desired.count, context.memoryBytes);
  if (windows.length === 1) {
    const whole = await planWindow(context.store, held, record, desired.digest);
    return { windows: WHOLE_SET, summary: whole.summary, inDoubtCount: whole.resolved.inDoubt.size, appliedDigest: whole.resolved.appliedDigest, planIn: () => Promise.resolve(whole) };
  }
  const planIn = (window: PlanWindow): Promise<RecordsWindowPlan> => planWindow(keyedView(context.copies, window, externalIdOfKey), held, record, desired.digest);
  const summary: RecordsPlanSummary = { newOrChanged: 0, changed: 0, gone: 0, unchanged: 0 };
  let inDoubtCount = 0;
  let appliedDigest: string | undefined;
  // Every window once for the sums; each window's sets are dropped before the next is read.
  for (const window of windows) {
    const part = await planIn(window);
    summary.newOrChanged += part.summary.newOrChanged;
    summary.changed += part.summary.changed;
    summary.gone += part.summary.gone;
    summary.unchanged += part.summary.unchanged;
    if (part.summary.inDoubt !== undefined) summary.inDoubt = (summary.inDoubt ?? 0) + part.summary.inDoubt;
    inDoubtCount += part.resolved.inDoubt.size;
    appliedDigest = part.resolved.appliedDigest;
  }
  return { windows, summary, inDoubtCount, appliedDigest, planIn };
}

async function planWindow(store: SnapshotStore, held: HeldSet, record: SetSyncRecord | undefined, desiredDigest: string): Promise<RecordsWindowPlan> {
  const { resolved, desired, base, plan } = await planSync(store, held, record, desiredDigest, { baseOf: withoutInDoubt });
  const summary = summarizeRecordsPlan(plan);
  if (base !== resolved.applied) {
    // Desired records that only the doubt sends again: in the applied set, left out of the base.
    const dropped = planMembership(base, resolved.applied).adds;
    let again = 0;
    for (const k of dropped) if (desired.has(k)) again++;
    if (again > 0) summary.inDoubt = again;
  }
  return { resolved, base, desired, plan, summary };
}

/**
 * What one window's upload leaves: its base with the removes done (they need no call) and what
 * Amazon accepted added; in doubt, the earlier in-doubt keys not accepted now, and this upload's
 * keys whose answer proved nothing (all not accepted when the failure proves nothing, as other
 * requests may have been in flight).
 */
export function outcomeOfWindow(planned: RecordsWindowPlan, accepted: IdSet, unknown: IdSet, failureProvesNothing: boolean): { applied: IdSet; inDoubt: IdSet } {
  const { base, plan, resolved } = planned;
  const acceptedAll = new IdSelection(accepted, Uint32Array.from({ length: accepted.size }, (_, i) => i));
  const applied = applyPlan(base, { ...plan, adds: acceptedAll, addCount: acceptedAll.size });
  const notAccepted = (sel: IdSet | IdSelection): IdSelection => {
    const set = "bytes" in sel ? sel : sel.set;
    const indices = "bytes" in sel ? Uint32Array.from({ length: sel.size }, (_, i) => i) : sel.indices;
    return new IdSelection(set, indices.filter((i) => !accepted.has(set.idAt(i))));
  };
  return { applied, inDoubt: unionOf([notAccepted(resolved.inDoubt), failureProvesNothing ? notAccepted(plan.adds) : notAccepted(unknown)]) };
}
