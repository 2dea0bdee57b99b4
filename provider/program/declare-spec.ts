import * as pulumi from "@pulumi/pulumi";
import { ID_TYPES, type LoadedSpec, type MemberSource } from "../spec";
import { AudienceMembership } from "../resources/audience-membership";
import { DataProviderAudience } from "../resources/data-provider-audience";
import type { DesiredMembers } from "./desired-set";

/** Options of {@link declareSpec}. */
export interface DeclareSpecOptions {
  /** Re-send every membership's whole desired set once per distinct value (see AudienceMembership). */
  reassertToken?: string;
}

/** Stack outputs per audience key. */
export interface DeclaredAudience {
  audienceId: pulumi.Output<string>;
  members: Record<string, pulumi.Output<number>>;
}

function membersOf(source: MemberSource): DesiredMembers {
  switch (source.kind) {
    case "inline":
      return source.ids;
    case "files":
      return { files: source.files };
    case "records":
      throw new Error(`members from records ("${source.records}") are not supported yet`);
  }
}

/**
 * Turns a loaded spec into resources: one DataProviderAudience per audience key and one
 * AudienceMembership per (audience, ID type) that has members. Resource names are the spec keys,
 * so renaming a key is a replace and reordering the file changes nothing.
 */
export function declareSpec(spec: LoadedSpec, options: DeclareSpecOptions = {}): Record<string, DeclaredAudience> {
  const out: Record<string, DeclaredAudience> = {};
  for (const a of spec.audiences) {
    const audience = new DataProviderAudience(a.key, {
      name: a.name,
      description: a.description,
      advertiserId: a.advertiserId,
      externalAudienceId: a.externalAudienceId,
      dataSourceCountry: a.dataSourceCountry,
      ...(a.ttl === undefined ? {} : { ttl: a.ttl }),
      ...(a.audienceFees === undefined ? {} : { audienceFees: a.audienceFees }),
      ...(a.adopt === undefined ? {} : { adoptId: a.adopt }),
    });
    const members: Record<string, pulumi.Output<number>> = {};
    for (const idType of ID_TYPES) {
      const source = a.members[idType];
      if (source === undefined) continue;
      const membership = new AudienceMembership(
        `${a.key}-${idType.toLowerCase().replace(/_/g, "-")}`,
        {
          // The resource id, not the audienceId output: it stays known while an update is previewed.
          audienceId: audience.id,
          idType,
          members: membersOf(source),
          label: a.key,
          ...(a.consent === undefined ? {} : { consent: a.consent }),
          ...(options.reassertToken === undefined ? {} : { reassertToken: options.reassertToken }),
        },
        { parent: audience },
      );
      // Desired counts are inputs, known during preview; appliedCount is in each membership's state.
      members[idType] = membership.desiredCount;
    }
    out[a.key] = { audienceId: audience.audienceId, members };
  }
  return out;
}
