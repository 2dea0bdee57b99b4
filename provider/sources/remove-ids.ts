/**
 * Exclusions and suppression: members minus the IDs of other sets, and how many each step took
 * out. Both sides are canonical sets of one ID type, so equality is byte equality. Pure.
 */
import { dirname } from "node:path";
import { IdSetBuilder, RANGE_COUNT, SpilledSet, SpilledSetWriter, type BuiltSet, type IdSet } from "../plan";

/**
 * `members` without any ID of `removed`, and how many members that took out. A set on disk is
 * filtered one fingerprint range at a time into a new file (the old one is deleted).
 */
export function removeIds<T extends BuiltSet>(members: T, removed: IdSet | undefined): { set: T; removed: number };
export function removeIds(members: BuiltSet, removed: IdSet | undefined): { set: BuiltSet; removed: number } {
  if (!(members instanceof SpilledSet)) return removeFromSet(members, removed);
  if (removed === undefined || removed.size === 0) return { set: members, removed: 0 };
  const writer = new SpilledSetWriter(dirname(members.path), members.fingerprinter);
  let taken = 0;
  try {
    for (let range = 0; range < RANGE_COUNT; range++) {
      const part = removeFromSet(members.ranges(range, range + 1), removed);
      taken += part.removed;
      writer.append(part.set);
    }
  } catch (error) {
    writer.abandon();
    throw error;
  }
  writer.countRepeats(members.duplicatesRemoved);
  members.dispose();
  return { set: writer.finish(), removed: taken };
}

function removeFromSet(members: IdSet, removed: IdSet | undefined): { set: IdSet; removed: number } {
  if (removed === undefined || removed.size === 0 || members.size === 0) return { set: members, removed: 0 };
  // The members arrive in canonical order, so the builder keeps them in one store without sorting.
  const builder = new IdSetBuilder({ expectedBytes: members.bytes.length, expectedCount: members.size, fingerprinter: members.fingerprinter });
  let taken = 0;
  for (let i = 0; i < members.size; i++) {
    if (removed.has(members.idAt(i))) taken++;
    else builder.addBytes(members.bytes, members.startOf(i), members.endOf(i));
  }
  return { set: taken === 0 ? members : builder.build(), removed: taken };
}
