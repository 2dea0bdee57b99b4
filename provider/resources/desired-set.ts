import * as pulumi from "@pulumi/pulumi";
import type { IdSet, MembershipIdType } from "../plan";
import { putInLineage } from "../snapshots";
import { describeSnapshotLocation, openSnapshotStore, resolveSnapshotLocation } from "../config/snapshot-location";
import { buildMemberSet, type DesiredMembers } from "./member-set";
import { programConfig } from "./program-config";

export type { DesiredMembers } from "./member-set";

let warnedLocal = false;

/**
 * The members of one type listed in ID files, each line checked against the type's syntax.
 * @throws IdFileError naming every bad line (file, line, column; never the ID)
 */
export function readMemberFiles(files: readonly string[], idType: MembershipIdType): Promise<IdSet> {
  return buildMemberSet({ files }, idType);
}

/**
 * Builds the desired set in the program, stores its snapshot (content-addressed, so a set seen
 * before costs nothing) and returns the digest and count that go into the resource's inputs.
 * The provider process loads the same set by digest; the IDs never enter Pulumi state.
 *
 * @param lineage names the resource whose successive desired sets these are (e.g.
 *   `membership/<name>/<idType>`): a new set is then stored as a delta over the previous one,
 *   which the provider sends as the plan without reading either whole set. @default none: stored whole
 */
export async function prepareDesiredSet(members: DesiredMembers, idType: MembershipIdType, lineage?: string): Promise<{ digest: string; count: number }> {
  const set = await buildMemberSet(members, idType);
  const { location, followsBackend } = resolveSnapshotLocation(programConfig, process.cwd());
  if (!followsBackend && !warnedLocal) {
    warnedLocal = true;
    pulumi.log.warn(
      `Applied-set snapshots are kept in ${describeSnapshotLocation(location)}, which does not follow the state backend; ` +
        "set dsp:snapshotStore (file:// or s3:// URL) to a shared location so that previews on other machines see them.",
    );
  }
  const store = openSnapshotStore(location);
  if (lineage !== undefined) return { digest: (await putInLineage(store, set, lineage)).digest, count: set.size };
  const digest = await store.put(set); // a no-op when stored already
  return { digest, count: set.size };
}
