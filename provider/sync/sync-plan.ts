/**
 * The one planning path of the providers that sync a set (memberships, hashed records): the
 * desired set, the applied set and the entries in doubt as the state and the sync record say, the
 * set to plan from, and the exact plan.
 */
import { planMembership, type IdSet, type MembershipPlan } from "../plan";
import { SnapshotMissingError, type SnapshotStore } from "../snapshots";
import { resolveSet, type HeldSet, type ResolvedSet, type SetSyncRecord } from "./set-sync-record";

/** What a sync starts from, and its plan. */
export interface SyncPlan<R extends SetSyncRecord = SetSyncRecord> {
  readonly resolved: ResolvedSet<R>;
  readonly desired: IdSet;
  /** The set the plan was diffed against (see {@link SyncPlanOptions.baseOf}). */
  readonly base: IdSet;
  readonly plan: MembershipPlan;
}

/** How a provider places the IDs in doubt, and what it does without an applied snapshot. */
export interface SyncPlanOptions<R extends SetSyncRecord = SetSyncRecord> {
  /** The set to plan from, given the applied set, the entries in doubt and the desired set. */
  baseOf(applied: IdSet, inDoubt: IdSet, desired: IdSet): IdSet;
  /**
   * What to plan from when the applied snapshot is missing. @default none: the
   * SnapshotMissingError is thrown
   */
  onMissingApplied?(error: SnapshotMissingError, desired: IdSet): Promise<ResolvedSet<R>>;
}

/**
 * Reads the sets (desired and applied concurrently; a failure of the desired set is reported
 * first, as when they were read in turn) and plans; the diff is exact.
 */
export async function planSync<R extends SetSyncRecord>(store: SnapshotStore, held: HeldSet, record: R | undefined, desiredDigest: string, options: SyncPlanOptions<R>): Promise<SyncPlan<R>> {
  const [wanted, found] = await Promise.allSettled([store.get(desiredDigest), resolveSet(store, held, record)]);
  if (wanted.status === "rejected") throw wanted.reason;
  const desired = wanted.value;
  let resolved: ResolvedSet<R>;
  if (found.status === "fulfilled") resolved = found.value;
  else if (found.reason instanceof SnapshotMissingError && options.onMissingApplied !== undefined) resolved = await options.onMissingApplied(found.reason, desired);
  else throw found.reason;
  const base = options.baseOf(resolved.applied, resolved.inDoubt, desired);
  return { resolved, desired, base, plan: planMembership(base, desired) };
}
