/**
 * Planning a membership larger than memory: the sets are copied from the snapshot store onto disk
 * once ({@link SpilledSet}), and the plan is made and sent one window of fingerprint ranges at a
 * time. Every step of a plan (resolving in-doubt IDs, the diff, applying what was accepted) works
 * on each range alone, so a window's plan is exactly the whole plan's part in that window.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { RANGE_COUNT, type SpilledSet } from "../plan";
import type { SnapshotStore } from "../snapshots";
import { PLAN_BYTES_PER_ID } from "../config/plan-memory";
import { makeScratchFolder, removeScratchFolder, sweepOnce } from "../util/scratch-folder";

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
 * The copies one provider operation (a diff, create, update or delete) made, in a `dsp-plan-*`
 * folder of its own: deleted with the folder as soon as the operation settles, never left for the
 * process's exit (the engine stops a provider process without one). A folder left by a process
 * killed mid-plan is swept by the next one (see util/scratch-folder.ts).
 */
class OperationCopies {
  readonly sets = new Map<string, Promise<SpilledSet>>();
  private folder: string | undefined;

  workDirectory(): string {
    this.folder ??= makeScratchFolder("dsp-plan-");
    return this.folder;
  }

  async release(): Promise<void> {
    // A copy still being written (its operation failed part-way) is waited for, so that nothing
    // is written into the folder after it is removed.
    await Promise.allSettled(this.sets.values());
    this.sets.clear();
    if (this.folder !== undefined) removeScratchFolder(this.folder);
    this.folder = undefined;
  }
}

const currentOperation = new AsyncLocalStorage<OperationCopies>();

/**
 * Runs `operation` with copies of its own: whatever it copies onto disk through a
 * {@link SpilledCopies} is deleted when it settles. The first operation of a process sweeps the
 * folders that processes killed mid-plan left.
 */
export function withOwnCopies<T>(operation: () => Promise<T>): Promise<T> {
  sweepOnce();
  const copies = new OperationCopies();
  return currentOperation.run(copies, async () => {
    try {
      return await operation();
    } finally {
      await copies.release();
    }
  });
}

/** `provider` with each of its operations run by {@link withOwnCopies}. */
export function copiesPerOperation<P extends object>(provider: P): P {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(provider)) {
    wrapped[name] = typeof method === "function" ? (...args: unknown[]): Promise<unknown> => withOwnCopies(async () => (method as (...a: unknown[]) => unknown).apply(provider, args)) : method;
  }
  return wrapped as P;
}

/**
 * Copies of stored sets on disk, one per digest and operation: a plan's windows share them, and
 * they last until the operation that made them settles (see {@link withOwnCopies}, which every
 * use must run within). An update computes its windows again, so it copies again what its diff
 * copied: the price of never leaving copies behind between two calls the engine may never make.
 */
export class SpilledCopies {
  constructor(private readonly store: SnapshotStore) {}

  /** The set with this digest, on disk. */
  copyOf(digest: string): Promise<SpilledSet> {
    const operation = this.operation();
    let copy = operation.sets.get(digest);
    if (copy === undefined) {
      copy = this.store.getSpilled(digest, operation.workDirectory());
      // A failed read is not kept: the next call tries again (and reports again).
      copy.catch(() => operation.sets.delete(digest));
      operation.sets.set(digest, copy);
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

  /** Where the current operation's copies and the sets written from its windows go. */
  workDirectory(): string {
    return this.operation().workDirectory();
  }

  private operation(): OperationCopies {
    const operation = currentOperation.getStore();
    if (operation === undefined) throw new Error("copies of sets on disk belong to an operation: call this within withOwnCopies()");
    return operation;
  }
}

/** The copies of the store `store()` names, made on first use: one per provider context. */
export function lazyCopies(store: () => SnapshotStore): () => SpilledCopies {
  let copies: SpilledCopies | undefined;
  return () => (copies ??= new SpilledCopies(store()));
}
