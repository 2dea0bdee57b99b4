import * as pulumi from "@pulumi/pulumi";
import type { AudienceFee } from "../client";
import { ShimResource } from "../resources/dynamic-shim";
import { claimAdoptedAudience } from "../resources/ownership";
import { URN_INPUT, ownUrn } from "../resources/resource-urn";
import { suspendPromiseStacks } from "../resources/promise-stacks";

/** Inputs of {@link DataProviderAudience}. Ids are int64 decimal strings, never numbers. */
export interface DataProviderAudienceArgs {
  /** 10–128 characters. Changing it replaces the audience (Amazon cannot rename). */
  name: pulumi.Input<string>;
  /** Up to 1000 characters. @default "" */
  description?: pulumi.Input<string>;
  /** DSP advertiser id. Changing it replaces the audience. */
  advertiserId: pulumi.Input<string>;
  /** Your own id for the audience, unique per advertiser. Changing it replaces the audience. */
  externalAudienceId: pulumi.Input<string>;
  /** ISO-3166-1 alpha-2 codes of where the data comes from. */
  dataSourceCountry: pulumi.Input<pulumi.Input<string>[]>;
  /** How long a record stays in the audience, in seconds (0–34,300,800). @default Amazon's (unset) */
  ttl?: pulumi.Input<number>;
  /** Data fees; the currency must be the DSP account's. @default none */
  audienceFees?: pulumi.Input<AudienceFee[]>;
  /**
   * Manage an existing audience with this id instead of creating one (`pulumi import` does not
   * work for dynamic providers). Its name, advertiser and externalAudienceId must match.
   */
  adoptId?: pulumi.Input<string>;
  /**
   * How long sync records keep their history, in days (the spec's `settings.historyRetentionDays`).
   * @default dsp:historyRetentionDays, else 90
   */
  historyRetentionDays?: number;
}

/**
 * An Amazon DSP data-provider audience. Create is a metadata POST, update a PUT of the mutable
 * fields (description, ttl, fees, countries), refresh a GET that also reports Amazon's match
 * statistics. The API has no DELETE: destroying leaves the (emptied) audience in DSP, with a warning.
 */
export class DataProviderAudience extends ShimResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string>;
  declare readonly advertiserId: pulumi.Output<string>;
  declare readonly externalAudienceId: pulumi.Output<string>;
  declare readonly dataSourceCountry: pulumi.Output<string[]>;
  declare readonly ttl: pulumi.Output<number | undefined>;

  /**
   * Amazon's audience id (int64 as a decimal string): the resource id, which the provider sets to
   * it. Read from `id` rather than registered as an output: the SDK spends an output and four
   * promises in the program on every key a resource registers, for every audience of a catalog.
   * Amazon's match statistics (`receivedRecords`, `matchedRecords`, `matchRate`) are in the
   * resource's state outputs for the same reason, not on the object.
   */
  get audienceId(): pulumi.Output<string> {
    return this.id;
  }

  constructor(name: string, args: DataProviderAudienceArgs, opts?: pulumi.CustomResourceOptions) {
    // Two resources adopting one audience would fight over it: refused while the program runs.
    if (typeof args.adoptId === "string") claimAdoptedAudience(args.adoptId, name);
    const resumeStacks = suspendPromiseStacks();
    try {
      super(
        "audienceProvider",
        name,
        {
          // Inputs only: outputs the provider returns are stored in state whether or not they are named here.
          ...args,
          [URN_INPUT]: ownUrn(name, "dsp-audiences", "DataProviderAudience", opts),
        },
        opts,
        "dsp-audiences",
        "DataProviderAudience",
      );
    } finally {
      resumeStacks();
    }
  }
}
