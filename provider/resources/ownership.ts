/**
 * One owner per audience and ID type in a program. Two memberships of one audience and ID type
 * would each remove what the other adds (and a delete of one would remove what the other wants),
 * so the second is refused when it is declared, during preview whenever the audience id is known
 * then (an existing audience, or an adopted one) and otherwise before anything is sent.
 */
import type { MembershipIdType } from "../plan";

export class OwnershipError extends Error {
  override name = "OwnershipError";
}

/**
 * The claims of one program: who manages each (audience, ID type) and who adopts each audience id.
 * A registry, not a cache: it holds one short entry per declared membership and adoption, for the
 * life of the program, because a later declaration must be checked against every earlier one.
 */
export class OwnershipClaims {
  private readonly memberships = new Map<string, string>();
  private readonly adopted = new Map<string, string>();

  /** Claims (audience, ID type) for the membership `name`. @throws OwnershipError when another membership has it */
  claimMembership(audienceId: string, idType: MembershipIdType, name: string): void {
    const key = `${audienceId}/${idType}`;
    const owner = this.memberships.get(key);
    if (owner !== undefined && owner !== name) {
      throw new OwnershipError(
        `AudienceMembership "${name}" and "${owner}" both manage the ${idType} IDs of audience ${audienceId}: ` +
          "each would remove what the other adds. Declare one membership per audience and ID type (put all the IDs in it).",
      );
    }
    this.memberships.set(key, name);
  }

  /** Claims an audience id for the DataProviderAudience `name` that adopts it. @throws OwnershipError when another one adopts it */
  claimAdoptedAudience(audienceId: string, name: string): void {
    const owner = this.adopted.get(audienceId);
    if (owner !== undefined && owner !== name) {
      throw new OwnershipError(
        `DataProviderAudience "${name}" and "${owner}" both adopt audience ${audienceId}: their memberships would fight over its members. ` +
          "Adopt an audience in one place only.",
      );
    }
    this.adopted.set(audienceId, name);
  }
}

/** The claims of the program running in this process (one program per process). */
const programClaims = new OwnershipClaims();

/** Claims (audience, ID type) for the membership `name` in this program. @throws OwnershipError when another membership has it */
export function claimMembership(audienceId: string, idType: MembershipIdType, name: string): void {
  programClaims.claimMembership(audienceId, idType, name);
}

/** Claims an audience id for the DataProviderAudience `name` that adopts it in this program. @throws OwnershipError when another one adopts it */
export function claimAdoptedAudience(audienceId: string, name: string): void {
  programClaims.claimAdoptedAudience(audienceId, name);
}
