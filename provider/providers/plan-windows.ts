/**
 * Planning a membership larger than memory: the sets are copied from the snapshot store onto disk
 * once ({@link SpilledSet}), and the plan is made and sent one window of fingerprint ranges at a
 * time. Every step of a plan (resolving in-doubt IDs, the diff, applying what was accepted) works
 * on each range alone, so a window's plan is exactly the whole plan's part in that window.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RANGE_COUNT, type SpilledSet } from "../plan";
import type { SnapshotStore } from "../snapshots";
import { PLAN_BYTES_PER_ID } from "../config/plan-memory";

/** A run of fingerprint ranges `[from, to)` planned together. */
export interface PlanWindow {
  readonly from: number;
  readonly to: number;
}

/** The one window of a membership that fits in memory. */
export const WHOLE_SET: readonly PlanWindow[] = [{ from: 0, to: RANGE_COUNT }];


/**
 * The windows for a plan over `idCount` IDs (applied, desired and in doubt together) within
 * `budgetBytes`: one when it fits, else the fewest equal windows (a power of two, at most one per
 * range) that do.
 */
export function planWindows(idCount: number, budgetBytes: number): readonly PlanWindow[] {
  const needed = idCount * PLAN_BYTES_PER_ID;
  if (needed <= budgetBytes) return WHOLE_SET;
  let count = 2;
  while (count < RANGE_COUNT && needed / count > budgetBytes) count *= 2;
  const width = RANGE_COUNT / count;
  return Array.from({ length: count }, (_, i) => ({ from: i * width, to: (i + 1) * width }));
}

/**
 * Copies of stored sets on disk, one per digest for the life of the process (a preview's diff and
 * the up's update share them), deleted when the process exits.
 */
export class SpilledCopies {
  private readonly copies = new Map<string, Promise<SpilledSet>>();
  private directory: string | undefined;

  constructor(private readonly store: SnapshotStore) {}

  /** The set with this digest, on disk. */
  copyOf(digest: string): Promise<SpilledSet> {
    let copy = this.copies.get(digest);
    if (copy === undefined) {
      copy = this.store.getSpilled(digest, this.workDirectory());
      // A failed read is not kept: the next call tries again (and reports again).
      copy.catch(() => this.copies.delete(digest));
      this.copies.set(digest, copy);
    }
    return copy;
  }

  /**
   * The store as one window sees it: `get` gives the window's part of a set. Writes are refused:
   * a window's part is not a set to store.
   */
  view(window: PlanWindow): SnapshotStore {
    const store = this.store;
    const refuse = (): Promise<never> => Promise.reject(new Error("a plan window cannot write to the snapshot store"));
    return {
      location: store.location,
      has: (digest) => store.has(digest),
      get: async (digest) => (await this.copyOf(digest)).ranges(window.from, window.to),
      getSpilled: (digest, directory) => store.getSpilled(digest, directory),
      getDelta: (digest) => store.getDelta(digest),
      depthOf: (digest) => store.depthOf(digest),
      readRecord: (name) => store.readRecord(name),
      put: refuse,
      putDelta: refuse,
      writeRecord: refuse,
      deleteRecord: refuse,
      listRecords: (prefix) => store.listRecords(prefix),
    };
  }

  /** Where copies and the sets written from windows go. */
  workDirectory(): string {
    if (this.directory === undefined) {
      const directory = mkdtempSync(join(tmpdir(), "dsp-plan-"));
      process.once("exit", () => rmSync(directory, { recursive: true, force: true }));
      this.directory = directory;
    }
    return this.directory;
  }
}
