import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { isSetDigest, setDigest, type Fingerprinter, type IdSet } from "../plan";
import { decodeSnapshot, snapshotStream } from "./snapshot-codec";
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
  /** Stores `set` (a no-op when already stored) and returns its digest. */
  put(set: IdSet): Promise<string>;
  /**
   * A small named JSON record beside the snapshots (`records/<name>.json`), e.g. what a sync has in
   * flight. Unlike snapshots, records are overwritten. @returns undefined when there is none
   */
  readRecord(name: string): Promise<unknown>;
  /** Writes a record durably (whole or not at all) before resolving. */
  writeRecord(name: string, value: unknown): Promise<void>;
}

/** Record names: letters, digits, `.`, `_`, `-`; no path separators. */
export function checkRecordName(name: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name.startsWith(".")) throw new RangeError(`not a record name: ${JSON.stringify(name)}`);
  return name;
}

/** Options for {@link FileSnapshotStore}. */
export interface FileSnapshotStoreOptions {
  /** gzip level for new snapshots. @default 6 */
  readonly level?: number;
  /** Fingerprint algorithm of the sets read back. @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
}

/**
 * A {@link SnapshotStore} in a directory: `<dir>/<first 2 hex>/<digest>.ids.gz`.
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

  /** The file that holds (or would hold) the snapshot with this digest. */
  pathOf(digest: string): string {
    if (!isSetDigest(digest)) throw new RangeError(`not a set digest: ${JSON.stringify(digest)}`);
    return join(this.location, digest.slice(0, 2), `${digest}.ids.gz`);
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(digest))).isFile();
    } catch (error) {
      if (isMissingFile(error)) return false;
      throw error;
    }
  }

  async get(digest: string): Promise<IdSet> {
    const path = this.pathOf(digest);
    let file;
    try {
      file = await open(path, "r");
    } catch (error) {
      if (isMissingFile(error)) throw new SnapshotMissingError(digest, path);
      throw error;
    }
    try {
      return await decodeSnapshot(file.createReadStream({ autoClose: false, highWaterMark: 1 << 20 }), {
        expectedDigest: digest,
        location: path,
        ...(this.options.fingerprinter === undefined ? {} : { fingerprinter: this.options.fingerprinter }),
      });
    } catch (error) {
      if (error instanceof SnapshotCorruptError) {
        const quarantine = `${path}.corrupt`;
        const movedAside = await rename(path, quarantine).then(
          () => true,
          () => false, // e.g. a read-only store: still report the corruption itself
        );
        if (!movedAside) throw error;
        throw new SnapshotCorruptError(digest, path, `${error.reason}; moved aside to ${quarantine}`, { cause: error });
      }
      throw error;
    } finally {
      await file.close();
    }
  }

  async put(set: IdSet): Promise<string> {
    const digest = setDigest(set);
    if (await this.has(digest)) return digest;
    const path = this.pathOf(digest);
    await mkdir(dirname(path), { recursive: true });
    // Unique per writer, so concurrent puts of one set never share a file.
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      const level = this.options.level === undefined ? {} : { level: this.options.level };
      await pipeline(snapshotStream(set, level), createWriteStream(temporary, { flags: "wx", flush: true }));
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {
        // Best effort: the write error is what matters.
      });
      throw error;
    }
    await syncDirectory(dirname(path));
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
    const path = this.recordPath(name);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify(value), { flag: "wx", flush: true });
      await rename(temporary, path);
    } catch (error) {
      await unlink(temporary).catch(() => {
        // Best effort: the write error is what matters.
      });
      throw error;
    }
    await syncDirectory(dirname(path));
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

function isMissingFile(error: unknown): boolean {
  return nodeErrorCode(error) === "ENOENT";
}
