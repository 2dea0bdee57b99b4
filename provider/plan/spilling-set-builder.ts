/**
 * Builds a set in bounded memory: IDs are collected by an {@link IdSetBuilder} until they reach
 * the memory budget, then sorted into a run on disk; at the end the runs are merged one
 * fingerprint range at a time into a {@link SpilledSet}. A set that fits comes back as an
 * {@link IdSet}, exactly as the builder alone would make it.
 */
import { defaultFingerprinter, type Fingerprinter } from "./fingerprint";
import { RANGE_COUNT } from "./fingerprint-range";
import { IdSet } from "./id-set";
import { IdSetBuilder } from "./id-set-builder";
import { compareFingerprints } from "./fingerprint-sort";
import { compareIdBytes, copyIdBytes, viewOf } from "./id-bytes";
import { SpilledSetWriter, type SpilledSet } from "./spilled-set";
import { makeScratchFolder, removeScratchFolder } from "../util/scratch-folder";

/** What an ID source pushes into: {@link IdSetBuilder} or {@link SpillingSetBuilder}. */
export interface IdSink {
  /** Adds an ID as given; non-empty, no "\n". */
  add(id: string): void;
  /** Adds the UTF-8 ID `source[start, end)`; the caller guarantees non-empty and no "\n". */
  addBytes(source: Uint8Array, start: number, end: number): void;
  /** IDs added so far, repeats included. */
  readonly count: number;
}

/** A set in memory or, when it did not fit the budget, on disk. */
export type BuiltSet = IdSet | SpilledSet;

/**
 * Bytes a builder holds per ID beyond the ID's own bytes and "\n": offset and fingerprint.
 * Building then needs about as much again for the sorted copy.
 */
const PER_ID_OVERHEAD = 12;
const BUILD_FACTOR = 3;

/** Options for {@link SpillingSetBuilder}. */
export interface SpillingSetBuilderOptions {
  /**
   * Memory the set may take while it is built, in bytes. A set that needs more is sorted in runs
   * of about 1/3 of it, written to disk and merged.
   */
  readonly memoryBytes: number;
  /** Where runs and the spilled set are written. @default this process's `dsp-set-*` folder under the system temp dir */
  readonly directory?: string;
  /** @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
  /** Expected bytes of all IDs plus one per ID, as for {@link IdSetBuilder}. @default unknown */
  readonly expectedBytes?: number;
}

export class SpillingSetBuilder implements IdSink {
  private readonly fingerprinter: Fingerprinter;
  private readonly runLimit: number;
  private readonly runs: SpilledSet[] = [];
  private builder: IdSetBuilder;
  private heldBytes = 0;
  private added = 0;
  private directory: string | undefined;

  constructor(private readonly options: SpillingSetBuilderOptions) {
    this.fingerprinter = options.fingerprinter ?? defaultFingerprinter;
    this.runLimit = Math.max(256, Math.floor(options.memoryBytes / BUILD_FACTOR));
    this.builder = this.newBuilder(options.expectedBytes);
  }

  get count(): number {
    return this.added;
  }

  add(id: string): void {
    this.builder.add(id);
    this.heldBytes += Buffer.byteLength(id, "utf8") + 1 + PER_ID_OVERHEAD;
    this.afterAdd();
  }

  addBytes(source: Uint8Array, start: number, end: number): void {
    this.builder.addBytes(source, start, end);
    this.heldBytes += end - start + 1 + PER_ID_OVERHEAD;
    this.afterAdd();
  }

  private afterAdd(): void {
    this.added++;
    if (this.heldBytes >= this.runLimit) this.spillRun();
  }

  private newBuilder(expectedBytes: number | undefined): IdSetBuilder {
    const cap = Math.floor(this.runLimit * 0.7);
    return new IdSetBuilder({ fingerprinter: this.fingerprinter, expectedBytes: Math.min(expectedBytes ?? 64 * 1024, cap) });
  }

  private workDirectory(): string {
    this.directory ??= this.options.directory ?? temporaryDirectory();
    return this.directory;
  }

  /** Sorts what is held into a run on disk. */
  private spillRun(): void {
    const run = this.builder.build();
    this.builder = this.newBuilder(this.runLimit);
    this.heldBytes = 0;
    this.runs.push(writeSpilled(this.workDirectory(), run));
  }

  /** The set: in memory when it fit, else merged from its runs on disk (which are deleted). */
  build(): BuiltSet {
    if (this.runs.length === 0) return this.builder.build();
    if (this.builder.count > 0) this.spillRun();
    const writer = new SpilledSetWriter(this.workDirectory(), this.fingerprinter);
    writer.countRepeats(this.runs.reduce((sum, run) => sum + run.duplicatesRemoved, 0));
    try {
      for (let range = 0; range < RANGE_COUNT; range++) {
        const { set, dropped } = unionOfSorted(this.runs.map((run) => run.ranges(range, range + 1)));
        writer.append(set, dropped);
      }
    } catch (error) {
      writer.abandon();
      throw error;
    } finally {
      for (const run of this.runs) run.dispose();
    }
    return writer.finish();
  }
}

/** This process's folder for sets spilled without a folder of their own (see {@link temporaryDirectory}). */
let ownFolder: string | undefined;

/**
 * One folder per process, made on first use and removed when the process exits; sets in it are
 * deleted by their users as soon as they are stored. A process killed before its exit hook runs
 * leaves it behind, and the next process to spill sweeps it (see util/scratch-folder.ts).
 */
function temporaryDirectory(): string {
  if (ownFolder === undefined) {
    const folder = makeScratchFolder("dsp-set-");
    process.once("exit", () => removeScratchFolder(folder));
    ownFolder = folder;
  }
  return ownFolder;
}

/** Writes a set to a new spilled file in `directory`. */
export function writeSpilled(directory: string, set: IdSet): SpilledSet {
  const writer = new SpilledSetWriter(directory, set.fingerprinter);
  writer.append(set, set.duplicatesRemoved);
  return writer.finish();
}

/**
 * The union of canonical sets (each without repeats), and how many IDs were in more than one: one
 * k-way merge that copies each ID once and keeps its fingerprint (no ID is fingerprinted again).
 * k is the number of sorted runs, a handful, so the smallest head is found by a linear scan.
 */
export function unionOfSorted(sets: readonly IdSet[]): { set: IdSet; dropped: number } {
  const live = sets.filter((set) => set.size > 0);
  if (live.length <= 1) return { set: live[0] ?? sets[0] ?? IdSet.empty(), dropped: 0 };
  const fingerprinter = (live[0] as IdSet).fingerprinter;
  const total = live.reduce((sum, set) => sum + set.size, 0);
  const bytes = Buffer.allocUnsafeSlow(live.reduce((sum, set) => sum + set.bytes.length, 0));
  const out = viewOf(bytes);
  const offsets = new Uint32Array(total + 1);
  const hi = new Uint32Array(total);
  const lo = new Uint32Array(total);
  const next = new Array<number>(live.length).fill(0);
  let count = 0;
  let at = 0;
  let dropped = 0;
  let collisions = 0;
  for (;;) {
    let best = -1;
    for (let s = 0; s < live.length; s++) {
      if ((next[s] as number) >= (live[s] as IdSet).size) continue;
      if (best < 0 || compareHeads(live[s] as IdSet, next[s] as number, live[best] as IdSet, next[best] as number) < 0) best = s;
    }
    if (best < 0) break;
    const set = live[best] as IdSet;
    const i = next[best] as number;
    next[best] = i + 1;
    const h = set.fingerprintHi[i] as number;
    const l = set.fingerprintLo[i] as number;
    const start = set.startOf(i);
    const end = set.endOf(i);
    if (count > 0 && hi[count - 1] === h && lo[count - 1] === l) {
      if (compareIdBytes(out, offsets[count - 1] as number, at - 1, set.view, start, end) === 0) {
        dropped++;
        continue;
      }
      collisions++;
    }
    offsets[count] = at;
    hi[count] = h;
    lo[count] = l;
    copyIdBytes(set.view, start, end + 1, out, at);
    at += end + 1 - start;
    count++;
  }
  offsets[count] = at;
  const set = new IdSet({
    fingerprinter,
    bytes: bytes.subarray(0, at),
    offsets: offsets.subarray(0, count + 1),
    fingerprintHi: hi.subarray(0, count),
    fingerprintLo: lo.subarray(0, count),
    duplicatesRemoved: 0,
    fingerprintCollisions: collisions,
  });
  return { set, dropped };
}

/** Canonical order of ID `i` of `a` against ID `j` of `b`: fingerprint, then bytes. */
function compareHeads(a: IdSet, i: number, b: IdSet, j: number): number {
  const order = compareFingerprints(a.fingerprintHi[i] as number, a.fingerprintLo[i] as number, b.fingerprintHi[j] as number, b.fingerprintLo[j] as number);
  return order !== 0 ? order : compareIdBytes(a.view, a.startOf(i), a.endOf(i), b.view, b.startOf(j), b.endOf(j));
}
