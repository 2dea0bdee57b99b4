import * as pulumi from "@pulumi/pulumi";
import { IdSet, idSetFrom, readIdFiles, setDigest, type MembershipIdType } from "../plan";
import { ID_SYNTAX_CHECKS } from "../spec";
import { describeSnapshotLocation, openSnapshotStore, resolveSnapshotLocation } from "../settings/snapshot-location";
import { programConfig } from "./program-config";

/** A desired member set: built already, listed, or in ID files (one per line). */
export type DesiredMembers = IdSet | readonly string[] | { files: readonly string[] };

let warnedLocal = false;

/**
 * The members of one type listed in ID files, each line checked against the type's syntax.
 * @throws IdFileError naming every bad line (file, line, column; never the ID)
 */
export function readMemberFiles(files: readonly string[], idType: MembershipIdType): Promise<IdSet> {
  return readIdFiles(files, { validate: ID_SYNTAX_CHECKS[idType] });
}

/**
 * Builds the desired set in the program, stores its snapshot (content-addressed, so a set seen
 * before costs nothing) and returns the digest and count that go into the resource's inputs.
 * The provider process loads the same set by digest; the IDs never enter Pulumi state.
 */
export async function prepareDesiredSet(members: DesiredMembers, idType: MembershipIdType): Promise<{ digest: string; count: number }> {
  const validate = ID_SYNTAX_CHECKS[idType];
  let set: IdSet;
  if (members instanceof IdSet) set = members;
  else if (Array.isArray(members)) {
    const ids = members as readonly string[];
    ids.forEach((id, i) => {
      const problem = validate(id);
      // The message says what is wrong with the ID, never the ID itself.
      if (problem !== undefined) throw new Error(`${idType} member ${i + 1}: ${problem}`);
    });
    set = idSetFrom(ids);
  }
  else set = await readMemberFiles((members as { files: readonly string[] }).files, idType);
  const { location, followsBackend } = resolveSnapshotLocation(programConfig, process.cwd());
  if (!followsBackend && !warnedLocal) {
    warnedLocal = true;
    pulumi.log.warn(
      `Applied-set snapshots are kept in ${describeSnapshotLocation(location)}, which does not follow the state backend; ` +
        "set dsp:snapshotStore (file:// or s3:// URL) to a shared location so that previews on other machines see them.",
    );
  }
  const store = openSnapshotStore(location);
  const digest = setDigest(set);
  if (!(await store.has(digest))) await store.put(set);
  return { digest, count: set.size };
}
