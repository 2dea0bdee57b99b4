import * as pulumi from "@pulumi/pulumi";
import type { IdSet, MembershipIdType } from "../plan";
import type { Consent } from "../spec";
import { ShimResource } from "../resources/dynamic-shim";
import { prepareDesiredSet, type DesiredMembers } from "../resources/desired-set";
import { claimMembership } from "../resources/ownership";
import { URN_INPUT, ownUrn } from "../resources/resource-urn";
import { knownValue } from "../resources/known-value";
import { lastKnownApplied } from "./membership-record";
import { suspendPromiseStacks } from "../resources/promise-stacks";

/** Inputs of {@link AudienceMembership}. */
export interface AudienceMembershipArgs {
  /** The audience (usually `DataProviderAudience.audienceId`). Changing it moves the members: add to the new, remove from the old. */
  audienceId: pulumi.Input<string>;
  idType: MembershipIdType;
  /** The complete desired set: an {@link IdSet}, a list, or ID files (one per line). */
  members: DesiredMembers;
  /** Name used in plan lines and errors. @default the resource name */
  label?: string;
  /** Consent sent with every patch. @default none */
  consent?: Consent;
  /** Change this value to re-send the whole desired set once (recovery; refreshing TTLs). */
  reassertToken?: pulumi.Input<string>;
  /** What the sources left out (suppression list, skipped invalid rows), shown in the plan line. @default none */
  leftOut?: { suppressed: number; skipped: number };
  /**
   * How long sync records keep their history, in days (the spec's `settings.historyRetentionDays`).
   * @default dsp:historyRetentionDays, else 90
   */
  historyRetentionDays?: number;
}

/**
 * The exact set of IDs of one type in one audience. Its diff is the set difference against what
 * Amazon last accepted, so preview reports how many IDs are added and removed and `up` sends
 * exactly those; a second `up` sends nothing. State holds a digest and a count, not the IDs:
 * the applied set is a content-addressed snapshot beside the state backend.
 */
export class AudienceMembership extends ShimResource {
  declare readonly audienceId: pulumi.Output<string>;
  declare readonly idType: pulumi.Output<MembershipIdType>;
  declare readonly desiredCount: pulumi.Output<number>;
  /**
   * IDs Amazon has accepted (equals desiredCount after a successful up). The bookkeeping outputs
   * (`appliedDigest`, `lastSync`) are in the resource's state, not on the object: every key
   * registered costs the SDK an output and four promises per membership.
   */
  declare readonly appliedCount: pulumi.Output<number>;

  constructor(name: string, args: AudienceMembershipArgs, opts?: pulumi.CustomResourceOptions) {
    // The base of the desired set's delta: what the audience holds now, by its sync record (once the audience id is known).
    const desired = prepareDesiredSet(args.members, args.idType, async (store) => {
      const audienceId = await knownValue(args.audienceId);
      return audienceId === undefined ? undefined : lastKnownApplied(store, audienceId, args.idType);
    });
    const resumeStacks = suspendPromiseStacks();
    try {
      super(
        "membershipProvider",
        name,
        {
          // Refused here, before anything is sent, when another membership of this program has the
          // same audience and ID type (during preview as soon as the audience id is known).
          // Applied on the given output itself: `pulumi.output` would copy it into one more output first.
          audienceId: (pulumi.Output.isInstance(args.audienceId) ? args.audienceId : pulumi.output(args.audienceId)).apply((id) => {
            claimMembership(id, args.idType, name);
            return id;
          }),
          idType: args.idType,
          desiredDigest: desired.then((d) => d.digest),
          desiredCount: desired.then((d) => d.count),
          label: args.label ?? name,
          // Optional inputs only when given: each property costs the SDK an output and four promises.
          ...(args.consent === undefined ? {} : { consent: args.consent }),
          ...(args.reassertToken === undefined ? {} : { reassertToken: args.reassertToken }),
          ...(args.leftOut === undefined ? {} : { suppressedCount: args.leftOut.suppressed, skippedCount: args.leftOut.skipped }),
          ...(args.historyRetentionDays === undefined ? {} : { historyRetentionDays: args.historyRetentionDays }),
          appliedCount: undefined,
          [URN_INPUT]: ownUrn(name, "dsp-audiences", "AudienceMembership", opts),
        },
        opts,
        "dsp-audiences",
        "AudienceMembership",
      );
    } finally {
      resumeStacks();
    }
  }
}

export type { IdSet };
