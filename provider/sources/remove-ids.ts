/**
 * Exclusions and suppression: members minus the IDs of other sets, and how many each step took
 * out. Both sides are canonical sets of one ID type, so equality is byte equality and removing is
 * one linear merge. Either side may be on disk (larger than `dsp:planMemoryMB`): then the merge
 * goes one fingerprint range at a time, so memory holds a range of each, not the sets. Pure but
 * for the files of spilled sets.
 */
import { dirname } from "node:path";
import { IdSetBuilder, planMembership, RANGE_COUNT, setOfSelection, sliceRanges, SpilledSet, SpilledSetWriter, type BuiltSet, type IdSet } from "../plan";

/**
 * `members` without any ID of `removed`, and how many members that took out. Members on disk come
 * back on disk, in a new file (the old one is deleted); members in memory stay in memory. `removed`
 * is left as it is (its owner disposes of it).
 */
export function removeIds<T extends BuiltSet>(members: T, removed: BuiltSet | undefined): { set: T; removed: number };
export function removeIds(members: BuiltSet, removed: BuiltSet | undefined): { set: BuiltSet; removed: number } {
  if (removed === undefined || removed.size === 0 || members.size === 0) return { set: members, removed: 0 };
  if (members instanceof SpilledSet) return removeFromSpilled(members, removed);
  if (!(removed instanceof SpilledSet)) return removeInMemory(members, removed);
  return removeSpilledFromSet(members, removed);
}

/** The IDs of `set` in one fingerprint range, read from disk or sliced in memory. */
function rangeOfSet(set: BuiltSet, range: number): IdSet {
  return set instanceof SpilledSet ? set.ranges(range, range + 1) : sliceRanges(set, range, range + 1);
}

/** Both in memory: one merge; the members themselves when nothing is removed. */
function removeInMemory(members: IdSet, removed: IdSet): { set: IdSet; removed: number } {
  // The IDs of `members` not in `removed` are the adds of a plan from `removed` to `members`.
  const kept = planMembership(removed, members).adds;
  const taken = members.size - kept.size;
  return { set: taken === 0 ? members : setOfSelection(kept), removed: taken };
}

/** Members on disk: filtered range by range into a new file; the old one is deleted. */
function removeFromSpilled(members: SpilledSet, removed: BuiltSet): { set: SpilledSet; removed: number } {
  const writer = new SpilledSetWriter(dirname(members.path), members.fingerprinter);
  let taken = 0;
  try {
    for (let range = 0; range < RANGE_COUNT; range++) {
      const part = removeInMemory(members.ranges(range, range + 1), rangeOfSet(removed, range));
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

/** Members in memory, the list on disk: the list read range by range; the members kept are appended in order, so nothing is sorted. */
function removeSpilledFromSet(members: IdSet, removed: SpilledSet): { set: IdSet; removed: number } {
  const builder = new IdSetBuilder({ expectedBytes: members.bytes.length, expectedCount: members.size, fingerprinter: members.fingerprinter });
  let taken = 0;
  for (let range = 0; range < RANGE_COUNT; range++) {
    const part = sliceRanges(members, range, range + 1);
    if (part.size === 0) continue;
    const kept = planMembership(removed.ranges(range, range + 1), part).adds;
    taken += part.size - kept.size;
    for (const i of kept.indices) builder.addBytes(part.bytes, part.startOf(i), part.endOf(i));
  }
  return { set: taken === 0 ? members : builder.build(), removed: taken };
}
