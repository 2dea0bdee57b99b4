import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { isSetDigest, setDigest, SpilledSet, type Fingerprinter, type IdSet } from "../plan";
import { SNAPSHOT_SUFFIXES, snapshotStream } from "./snapshot-codec";
import { decodeDelta, encodeDelta, type DeltaSnapshot } from "./delta-codec";
import { IN_MEMORY, onDisk, type SetReading } from "./set-reading";
import { nodeErrorCode, SnapshotCorruptError, SnapshotMissingError } from "./snapshot-errors";

/**
 * Where applied sets live outside Pulumi state. State keeps only the digest
 * and count; the store maps a digest to the full set. Content-addressed, so
 * a snapshot never changes once written.
 */
export interface SnapshotStore {
  /** Where snapshots are kept, for messages (e.g. a directory). */
  readonly location: string;
  /** True when a snapshot for `digest` exists. */
  has(digest: string): Promise<boolean>;
  /**
   * The set with this digest, verified.
   * @throws SnapshotMissingError when there is none
   * @throws SnapshotCorruptError when it is damaged
   */
  get(digest: string): Promise<IdSet>;
  /**
   * The set with this digest, verified, read into a file in `directory` instead of memory (for
   * sets larger than memory; see {@link SpilledSet}).
   * @throws SnapshotMissingError when there is none
   * @throws SnapshotCorruptError when it is damaged
   */
  getSpilled(digest: string, directory: string): Promise<SpilledSet>;
  /** Stores `set` (a no-op when already stored) and returns its digest. A spilled set streams from its file. */
  put(set: IdSet | SpilledSet): Promise<string>;
  /**
   * The delta a set is stored as, when it is stored as one over another set (see delta-codec.ts);
   * undefined when it is stored whole or not at all. Reads only the delta, not its base.
   */
  getDelta(digest: string): Promise<DeltaSnapshot | undefined>;
  /**
   * Stores the set `delta.resultDigest` as a delta over `delta.baseDigest`, which must be stored
   * (a no-op when the result is stored already). {@link get} resolves it like any other set.
   */
  putDelta(delta: DeltaSnapshot): Promise<string>;
  /** 0 for a set stored whole, k for one stored as a chain of k deltas; undefined when not stored. */
  depthOf(digest: string): Promise<number | undefined>;
  /**
   * A small named JSON record beside the snapshots (`records/<name>.json`), e.g. what a sync has in
   * flight. Unlike snapshots, records are overwritten. @returns undefined when there is none
   */
  readRecord(name: string): Promise<unknown>;
  /** Writes a record durably (whole or not at all) before resolving. */
  writeRecord(name: string, value: unknown): Promise<void>;
  /** Removes a record (a no-op when there is none). */
  deleteRecord(name: string): Promise<void>;
  /** The names of the records whose name starts with `prefix`, in no particular order. */
  listRecords(prefix: string): Promise<string[]>;
}

/** Record names: letters, digits, `.`, `_`, `-`; no path separators. */
export function checkRecordName(name: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name.startsWith(".")) throw new RangeError(`not a record name: ${JSON.stringify(name)}`);
  return name;
}

/** Options for {@link FileSnapshotStore}. */
export interface FileSnapshotStoreOptions {
  /** zstd level for new whole snapshots. @default 1 */
  readonly level?: number;
  /** Fingerprint algorithm of the sets read back. @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
}

/**
 * A {@link SnapshotStore} in a directory: `<dir>/<first 2 hex>/<digest>.ids.zst` (or `.ids.gz`,
 * as written before issue 14, still read), or `<digest>.delta.zst` for a set stored as a delta.
 *
 * Writes go to a temporary file that is flushed, then renamed into place,
 * so a reader sees a whole snapshot or none. A snapshot found corrupt is
 * moved aside to `<name>.corrupt`, so that a later `put` of the same set
 * can write a good copy.
 */
export class FileSnapshotStore implements SnapshotStore {
  readonly location: string;

  constructor(
    directory: string,
    private readonly options: FileSnapshotStoreOptions = {},
  ) {
    this.location = resolve(directory);
  }

  /** The file a new whole snapshot with this digest is written to (zstd). */
  pathOf(digest: string): string {
    return this.fileOf(digest, SNAPSHOT_SUFFIXES.zstd);
  }

  /** The file of a whole snapshot written before issue 14 (gzip), still read. */
  legacyPathOf(digest: string): string {
    return this.fileOf(digest, SNAPSHOT_SUFFIXES.gzip);
  }

  /** The file that holds (or would hold) the set with this digest as a delta. */
  deltaPathOf(digest: string): string {
    return this.fileOf(digest, ".delta.zst");
  }

  private fileOf(digest: string, suffix: string): string {
    if (!isSetDigest(digest)) throw new RangeError(`not a set digest: ${JSON.stringify(digest)}`);
    return join(this.location, digest.slice(0, 2), `${digest}${suffix}`);
  }

  /** The file of the whole snapshot with this digest, in either codec; undefined when there is none. */
  private async wholePathOf(digest: string): Promise<string | undefined> {
    for (const path of [this.pathOf(digest), this.legacyPathOf(digest)]) if (await isFile(path)) return path;
    return undefined;
  }

  async has(digest: string): Promise<boolean> {
    return (await this.wholePathOf(digest)) !== undefined || (await isFile(this.deltaPathOf(digest)));
  }

  async depthOf(digest: string): Promise<number | undefined> {
    if ((await this.wholePathOf(digest)) !== undefined) return 0;
    return (await this.getDelta(digest))?.depth;
  }

  async getDelta(digest: string): Promise<DeltaSnapshot | undefined> {
    const path = this.deltaPathOf(digest);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
    return this.quarantineIfCorrupt(path, decodeDelta(bytes, { expectedDigest: digest, location: path, ...this.fingerprinterOption() }));
  }

  async putDelta(delta: DeltaSnapshot): Promise<string> {
    const digest = delta.resultDigest;
    if (await this.has(digest)) return digest;
    if (!(await this.has(delta.baseDigest))) throw new SnapshotMissingError(delta.baseDigest, this.pathOf(delta.baseDigest));
    const path = this.deltaPathOf(digest);
    await this.writeAtomically(path, async (temporary) => writeFile(temporary, await encodeDelta(delta), { flag: "wx", flush: true }));
    return digest;
  }

  async get(digest: string): Promise<IdSet> {
    return (await this.getWithDepth(digest, IN_MEMORY)).set;
  }

  async getSpilled(digest: string, directory: string): Promise<SpilledSet> {
    return (await this.getWithDepth(digest, onDisk(directory))).set;
  }

  private async getWithDepth<T>(digest: string, reading: SetReading<T>): Promise<{ set: T; depth: number }> {
    const path = (await this.wholePathOf(digest)) ?? this.pathOf(digest);
    let file;
    try {
      file = await open(path, "r");
    } catch (error) {
      if (!isMissingFile(error)) throw error;
      const delta = await this.getDelta(digest);
      if (delta === undefined) throw new SnapshotMissingError(digest, path);
      const deltaPath = this.deltaPathOf(digest);
      const set = await this.quarantineIfCorrupt(deltaPath, reading.resolve(delta, deltaPath, (base) => this.getWithDepth(base, reading)));
      return { set, depth: delta.depth };
    }
    try {
      const set = await this.quarantineIfCorrupt(
        path,
        reading.decode(file.createReadStream({ autoClose: false, highWaterMark: 1 << 20 }), { expectedDigest: digest, location: path, ...this.fingerprinterOption() }),
      );
      return { set, depth: 0 };
    } finally {
      await file.close();
    }
  }

  private fingerprinterOption(): { fingerprinter?: Fingerprinter } {
    return this.options.fingerprinter === undefined ? {} : { fingerprinter: this.options.fingerprinter };
  }

  /** A corrupt file is moved aside to `<name>.corrupt`, so that a later put can write a good copy. */
  private async quarantineIfCorrupt<T>(path: string, reading: Promise<T>): Promise<T> {
    try {
      return await reading;
    } catch (error) {
      if (!(error instanceof SnapshotCorruptError) || error.location !== path) throw error;
      const quarantine = `${path}.corrupt`;
      const movedAside = await rename(path, quarantine).then(
        () => true,
        () => false, // e.g. a read-only store: still report the corruption itself
      );
      if (!movedAside) throw error;
      throw new SnapshotCorruptError(error.digest, path, `${error.reason}; moved aside to ${quarantine}`, { cause: error });
    }
  }

  /** Writes `path` through a temporary file that is flushed, renamed into place and made durable. */
  private async writeAtomically(path: string, write: (temporary: string) => Promise<void>): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    // Unique per writer, so concurrent puts of one set never share a file.
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await write(temporary);
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {
        // Best effort: the write error is what matters.
      });
      throw error;
    }
    await syncDirectory(dirname(path));
  }

  async put(set: IdSet | SpilledSet): Promise<string> {
    const digest = set instanceof SpilledSet ? await set.digest() : setDigest(set);
    // Only a whole copy counts: a delta whose base was lost is repaired by writing the set whole.
    if ((await this.wholePathOf(digest)) !== undefined) return digest;
    const level = this.options.level === undefined ? {} : { level: this.options.level };
    await this.writeAtomically(this.pathOf(digest), (temporary) => pipeline(snapshotStream(set, level), createWriteStream(temporary, { flags: "wx", flush: true })));
    return digest;
  }

  /** The file of a record: `<dir>/records/<name>.json`. */
  recordPath(name: string): string {
    return join(this.location, "records", `${checkRecordName(name)}.json`);
  }

  async readRecord(name: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(this.recordPath(name), "utf8");
    } catch (error) {
      if (isMissingFile(error)) return undefined;
      throw error;
    }
    return JSON.parse(text) as unknown;
  }

  async writeRecord(name: string, value: unknown): Promise<void> {
    await this.writeAtomically(this.recordPath(name), (temporary) => writeFile(temporary, JSON.stringify(value), { flag: "wx", flush: true }));
  }

  async deleteRecord(name: string): Promise<void> {
    try {
      await unlink(this.recordPath(name));
    } catch (error) {
      if (!isMissingFile(error)) throw error;
      return;
    }
    await syncDirectory(join(this.location, "records"));
  }

  async listRecords(prefix: string): Promise<string[]> {
    let files: string[];
    try {
      files = await readdir(join(this.location, "records"));
    } catch (error) {
      if (isMissingFile(error)) return [];
      throw error;
    }
    // Temporary files of writes in progress end in `.tmp`, not `.json`.
    return files.filter((f) => f.endsWith(".json") && f.startsWith(prefix)).map((f) => f.slice(0, -".json".length));
  }
}

/**
 * Makes the rename durable: without it a power loss could undo it. Some
 * platforms (Windows) cannot open or sync a directory; there the rename
 * stays atomic, only not durable, and a lost snapshot is reported as missing.
 */
async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, "r");
    await handle.sync();
  } catch (error) {
    if (!["EISDIR", "EPERM", "EINVAL", "EACCES"].includes(nodeErrorCode(error) ?? "")) throw error;
  } finally {
    await handle?.close();
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if (isMissingFile(error)) return false;
    throw error;
  }
}

function isMissingFile(error: unknown): boolean {
  return nodeErrorCode(error) === "ENOENT";
}
