/**
 * A desired member set from any of its sources (a list, ID files, or a set built by a library
 * caller), validated and in canonical form: every path gives the same set, and so the same
 * digest, for the same members. Pure apart from reading the files.
 */
import { IdSet, idSetFrom, readIdFiles, SpilledSet, type BuiltSet, type MembershipIdType } from "../plan";
import { ID_BYTES_CHECKS, ID_CANONICAL_FORMS, ID_SYNTAX_CHECKS } from "../spec";

/**
 * A desired member set: built already (in memory, or on disk when larger than the memory budget;
 * either canonical already), listed, or in ID files (one per line).
 */
export type DesiredMembers = BuiltSet | readonly string[] | { files: readonly string[] };

/**
 * Builds the set: IDs are checked with the type's syntax (errors name the member or the file and
 * line, never the ID) and mapped to the type's canonical form (MAIDs in lower case), so IDs
 * that differ only in case are one member.
 */
export async function buildMemberSet(members: Exclude<DesiredMembers, SpilledSet>, idType: MembershipIdType): Promise<IdSet>;
export async function buildMemberSet(members: DesiredMembers, idType: MembershipIdType): Promise<BuiltSet>;
export async function buildMemberSet(members: DesiredMembers, idType: MembershipIdType): Promise<BuiltSet> {
  // Read from ID files by the spec program, validated and canonical already.
  if (members instanceof SpilledSet) return members;
  const validate = ID_SYNTAX_CHECKS[idType];
  const canonicalise = ID_CANONICAL_FORMS[idType];
  if (members instanceof IdSet) {
    if (canonicalise === undefined) return members;
    // A set built by a library caller: re-built only when some ID is not canonical yet.
    for (const id of members) if (canonicalise(id) !== id) return idSetFrom(Array.from(members, canonicalise));
    return members;
  }
  if (Array.isArray(members)) {
    const ids = members as readonly string[];
    ids.forEach((id, i) => {
      const problem = validate(id);
      // The message says what is wrong with the ID, never the ID itself.
      if (problem !== undefined) throw new Error(`${idType} member ${i + 1}: ${problem}`);
    });
    return idSetFrom(canonicalise === undefined ? ids : ids.map(canonicalise));
  }
  const files = (members as { files: readonly string[] }).files;
  const acceptsBytes = ID_BYTES_CHECKS[idType];
  return readIdFiles(files, { validate, ...(acceptsBytes === undefined ? {} : { acceptsBytes }), ...(canonicalise !== undefined ? { canonicalise } : {}) });
}
