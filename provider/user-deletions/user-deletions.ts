import * as pulumi from "@pulumi/pulumi";
import { idSetFrom } from "../plan";
import { canonicalId, ID_SYNTAX_CHECKS, type IdType } from "../spec";
import { ShimResource } from "../resources/dynamic-shim";
import { prepareDesiredSet } from "../resources/desired-set";
import type { DeletionRequestRecord } from "./deletions";
import { encodeDeletion } from "./deletions";

/** One user whose data Amazon should delete (PATCH /v2/dp/users, operation DELETE). */
export interface UserDeletionRequest {
  type: IdType;
  value: string;
  /** Delete only this advertiser's data (int64 decimal string). @default all of this client's data for the user */
  advertiserId?: string;
  /** When the user withdrew consent, in epoch milliseconds. @default not sent */
  consentTime?: string | number;
}

/** Inputs of {@link UserDeletions}. */
export interface UserDeletionsArgs {
  deletions: readonly UserDeletionRequest[];
  /** Name used in plan lines and errors. @default the resource name */
  label?: string;
}

/**
 * A list of user-data deletions. Each one is sent once (batched ≤1,000 users per request, 1
 * request/s) and recorded with the requestId Amazon returned; a deletion already sent (same
 * type, value and advertiserId) is never sent again. Removing an entry does not undo it: the
 * API has no undo, and Amazon erases the data within 30 days.
 */
export class UserDeletions extends ShimResource {
  declare readonly desiredCount: pulumi.Output<number>;
  /** Deletions sent so far (including ones no longer listed). */
  declare readonly sentCount: pulumi.Output<number>;
  /** Every accepted request with its requestId, oldest first. */
  declare readonly requests: pulumi.Output<DeletionRequestRecord[]>;

  constructor(name: string, args: UserDeletionsArgs, opts?: pulumi.CustomResourceOptions) {
    const entries = args.deletions.map((d, i) => {
      // The message says what is wrong with the ID, never the ID itself.
      const problem = ID_SYNTAX_CHECKS[d.type](d.value);
      if (problem !== undefined) throw new Error(`deletions[${i}]: ${d.type} value ${problem}`);
      return encodeDeletion({
        type: d.type,
        value: canonicalId(d.type, d.value), // one form per device: a MAID in lower case
        ...(d.advertiserId !== undefined ? { advertiserId: d.advertiserId } : {}),
        ...(d.consentTime !== undefined ? { consentTime: String(d.consentTime) } : {}),
      });
    });
    // Stored like a member set: state gets a digest and a count, the snapshot store the entries.
    const desired = prepareDesiredSet(idSetFrom(entries), "EXTERNAL_USER_ID");
    super(
      "userDeletionsProvider",
      name,
      {
        label: args.label ?? name,
        desiredDigest: desired.then((d) => d.digest),
        desiredCount: desired.then((d) => d.count),
        sentCount: undefined,
        requests: undefined,
      },
      opts,
      "dsp-audiences",
      "UserDeletions",
    );
  }
}
