import type { MembershipPlan } from "./plan-membership";
import type { IdType } from "../api-vocabulary";

/** The record ID types of PATCH /v2/dp/audience. */
export type MembershipIdType = IdType;

/** One record to associate with, or disassociate from, some audiences. */
export interface MembershipOp {
  op: "add" | "remove";
  type: MembershipIdType;
  value: string;
  /**
   * Amazon audience IDs (int64 as strings). Every op of one
   * {@link membershipOps} call shares this frozen array: do not mutate it.
   */
  audienceIds: string[];
}

/** Which audiences and ID type a plan is about. */
export interface MembershipTarget {
  readonly type: MembershipIdType;
  readonly audienceIds: readonly string[];
}

/**
 * The ops that carry out `plan` (`plan.addCount + plan.removeCount` of
 * them), adds first, then removes, produced lazily: millions of ops never
 * sit in memory at once, only the batch being built.
 */
export function membershipOps(plan: MembershipPlan, target: MembershipTarget): Generator<MembershipOp, void, undefined> {
  if (target.audienceIds.length === 0) throw new RangeError("membership ops need at least one audience ID");
  return generateOps(plan, target);
}

function* generateOps(plan: MembershipPlan, target: MembershipTarget): Generator<MembershipOp, void, undefined> {
  // Shared and frozen: one array for millions of ops.
  const audienceIds = Object.freeze([...target.audienceIds]) as string[];
  const { type } = target;
  for (const value of plan.adds) yield { op: "add", type, value, audienceIds };
  for (const value of plan.removes) yield { op: "remove", type, value, audienceIds };
}
