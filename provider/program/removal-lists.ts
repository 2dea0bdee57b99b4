/**
 * Exclusion and suppression lists as the program holds them between reading and use: a list
 * larger than `dsp:planMemoryMB` is a set on disk, and one suppression list serves every
 * membership of its ID type, so each list counts the memberships that still need it and deletes
 * its file when the last one is done, not at exit.
 */
import { SpilledSet, type BuiltSet } from "../plan";
import { removeIds } from "../sources";

/** One list read once, used by `users` memberships. */
export class RemovalList {
  private users: number;

  constructor(
    readonly set: BuiltSet,
    users: number,
  ) {
    this.users = users;
  }

  /** One membership is done with the list; the last one deletes its file. */
  release(): void {
    this.users--;
    if (this.users === 0 && this.set instanceof SpilledSet) this.set.dispose();
  }
}

/** What one membership removes from its members: its audience's `exclude:` list, then the spec's `suppress:` list. */
export interface Removals {
  readonly exclude?: RemovalList;
  readonly suppress?: RemovalList;
}

/**
 * `members` minus the exclusions, minus the suppression list, and how many the suppression list
 * took out (shown in the preview line); releases both lists, also when it throws.
 */
export function applyRemovals<T extends BuiltSet>(members: T, removals: Removals): { set: T; suppressed: number } {
  try {
    const own = removeIds(members, removals.exclude?.set);
    const final = removeIds(own.set, removals.suppress?.set);
    return { set: final.set, suppressed: final.removed };
  } finally {
    releaseRemovals(removals);
  }
}

/** Releases both lists of a membership that will not use them (its members could not be read). */
export function releaseRemovals(removals: Removals): void {
  removals.exclude?.release();
  removals.suppress?.release();
}
