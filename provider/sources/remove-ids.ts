/**
 * Exclusions and suppression: members minus the IDs of other sets, and how many each step took
 * out. Both sides are canonical sets of one ID type, so equality is byte equality. Pure.
 */
import { IdSetBuilder, type IdSet } from "../plan";

/** `members` without any ID of `removed`, and how many members that took out. */
export function removeIds(members: IdSet, removed: IdSet | undefined): { set: IdSet; removed: number } {
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
