import * as pulumi from "@pulumi/pulumi";
import type { BuiltSet, IdSet, MembershipIdType } from "../plan";
import { setDigest, SpilledSet } from "../plan";
import { isReadable, putNearBase, putSpilledNearBase, type SnapshotStore } from "../snapshots";
import { PLAN_BYTES_PER_ID, resolvePlanMemoryBytes } from "../config/plan-memory";
import { describeSnapshotLocation, openSnapshotStore, resolveSnapshotLocation } from "../config/snapshot-location";
import { MissingPackageError } from "../util/optional-package";
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
 * @param baseOf the digest of a stored set the desired one is likely close to (for a membership, what
 *   its audience holds now): a new set is then stored as a delta over it, which the provider sends
 *   as the plan without reading either whole set. Asked only when the set is not stored yet.
 *   @default none: stored whole
 */
export async function prepareDesiredSet(
  members: DesiredMembers,
  idType: MembershipIdType,
  baseOf?: (store: SnapshotStore) => Promise<string | undefined>,
): Promise<{ digest: string; count: number }> {
  const set = await buildMemberSet(members, idType);
  const { location, followsBackend } = resolveSnapshotLocation(programConfig, process.cwd());
  if (!followsBackend && !warnedLocal) {
    warnedLocal = true;
    pulumi.log.warn(
      `Applied-set snapshots are kept in ${describeSnapshotLocation(location)}, which does not follow the state backend; ` +
        "set dsp:snapshotStore (file:// or s3:// URL) to a shared location so that previews on other machines see them.",
    );
  }
  return storeDesiredSet(openSnapshotStore(location), set, baseOf).catch(stopOnMissingPackage);
}

async function storeDesiredSet(store: SnapshotStore, set: BuiltSet, baseOf: ((store: SnapshotStore) => Promise<string | undefined>) | undefined): Promise<{ digest: string; count: number }> {
  if (set instanceof SpilledSet) return putSpilled(store, set, baseOf);
  if (baseOf === undefined) return { digest: await store.put(set), count: set.size }; // a no-op when stored already
  const digest = setDigest(set);
  if (await isReadable(store, digest)) return { digest, count: set.size };
  return { digest: (await putNearBase(store, set, await baseOf(store))).digest, count: set.size };
}

/**
 * A store whose optional package is missing (the AWS SDK of an S3 store) ends the program with
 * the message that says what to install: the SDK prints a RunError without a stack trace.
 */
function stopOnMissingPackage(error: unknown): never {
  throw error instanceof MissingPackageError ? new pulumi.RunError(error.message) : error;
}

/**
 * A set larger than the memory budget: stored as a delta over its base when the change is small
 * (the base diffed from a copy on disk, range by range; the change held in memory only up to a
 * share of the budget), else whole, streamed from its file; then its file is deleted.
 */
async function putSpilled(store: SnapshotStore, set: SpilledSet, baseOf: ((store: SnapshotStore) => Promise<string | undefined>) | undefined): Promise<{ digest: string; count: number }> {
  try {
    const digest = await set.digest();
    if (await isReadable(store, digest)) return { digest, count: set.size };
    const baseDigest = baseOf === undefined ? undefined : await baseOf(store);
    const maxChangedIds = Math.floor(resolvePlanMemoryBytes(programConfig) / PLAN_BYTES_PER_ID);
    return { digest: (await putSpilledNearBase(store, set, baseDigest, maxChangedIds)).digest, count: set.size };
  } finally {
    set.dispose();
  }
}
