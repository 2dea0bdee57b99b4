import { isSetDigest, setDigest, SpilledSet, type Fingerprinter, type IdSet } from "../plan";
import { gather, type BlobStore } from "./blob-store";
import { decodeDelta, encodeDelta, type DeltaSnapshot } from "./delta-codec";
import { IN_MEMORY, onDisk, type SetReading } from "./set-reading";
import { SNAPSHOT_SUFFIXES, snapshotStream, type SnapshotDecodeOptions } from "./snapshot-codec";
import { SnapshotCorruptError, SnapshotMissingError } from "./snapshot-errors";

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
  /**
   * 0 for a set stored whole; for one stored only as a delta, the depth that delta records (the
   * chain's length when it was written: a hint, since a base may be stored whole since); undefined
   * when not stored.
   */
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

/** Options of every {@link BlobSnapshotStore}. */
export interface SnapshotStoreOptions {
  /** zstd level for new whole snapshots. @default 1 */
  readonly level?: number;
  /** Fingerprint algorithm of the sets read back. @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
}

/** The forms one set can be stored in, by the ending of its blob's name. */
const FORM_SUFFIXES = { zstd: SNAPSHOT_SUFFIXES.zstd, gzip: SNAPSHOT_SUFFIXES.gzip, delta: ".delta.zst" } as const;
type SnapshotForm = keyof typeof FORM_SUFFIXES;
/** A whole copy first (no chain to follow), the current codec before the one written before issue 14. */
const READ_ORDER: readonly SnapshotForm[] = ["zstd", "gzip", "delta"];
const ZSTD_CONTENT = "application/zstd";

/** A set's blobs' names without their ending: `<first 2 hex>/<digest>`. */
function stemOf(digest: string): string {
  if (!isSetDigest(digest)) throw new RangeError(`not a set digest: ${JSON.stringify(digest)}`);
  return `${digest.slice(0, 2)}/${digest}`;
}

/**
 * A {@link SnapshotStore} over any {@link BlobStore}: `<first 2 hex>/<digest>.ids.zst` (or
 * `.ids.gz`, as written before issue 14, still read) for a set stored whole,
 * `<digest>.delta.zst` for one stored as a delta, `records/<name>.json` for records.
 *
 * - **Content-addressed**: a blob is named by its set's digest and never changes once written; a
 *   set already stored is not written again.
 * - **One set, any form**: a set may be stored both whole and as a delta (e.g. a delta written
 *   first, the whole set later); it reads the same either way. Only what fails its own checks
 *   (damaged, truncated, or not giving its digest) is corrupt.
 * - **Verified on read**: every blob is checked whole (see snapshot-codec.ts, delta-codec.ts). A
 *   blob found corrupt is read a second time (a dropped connection is not corruption); if still
 *   corrupt it is moved aside to `<name>.corrupt`, so that a later put can write a good copy,
 *   and any other form of the same set is read instead.
 */
/** The folder of the sync records among a store's blobs. */
const RECORDS_FOLDER = "records/";

export class BlobSnapshotStore<Blobs extends BlobStore = BlobStore> implements SnapshotStore {
  readonly location: string;

  constructor(
    protected readonly blobs: Blobs,
    private readonly options: SnapshotStoreOptions = {},
  ) {
    this.location = blobs.location;
  }

  /** The blob that holds (or would hold) the set `digest` in `form`. */
  protected blobOf(digest: string, form: SnapshotForm): string {
    return `${stemOf(digest)}${FORM_SUFFIXES[form]}`;
  }

  /** The blob of a record. */
  protected recordBlobOf(name: string): string {
    return `${RECORDS_FOLDER}${checkRecordName(name)}.json`;
  }

  /** The forms the set is stored in, in read order (one listing). */
  private async formsOf(digest: string): Promise<SnapshotForm[]> {
    const names = new Set(await this.blobs.list(`${stemOf(digest)}.`));
    return READ_ORDER.filter((form) => names.has(this.blobOf(digest, form)));
  }

  async has(digest: string): Promise<boolean> {
    return (await this.formsOf(digest)).length > 0;
  }

  async depthOf(digest: string): Promise<number | undefined> {
    const forms = await this.formsOf(digest);
    if (forms.length === 0) return undefined;
    if (forms[0] !== "delta") return 0;
    return (await this.getDelta(digest))?.depth;
  }

  async getDelta(digest: string): Promise<DeltaSnapshot | undefined> {
    const blob = this.blobOf(digest, "delta");
    return this.readBlob(blob, async (body) => decodeDelta(await gather(body), this.decodeOptions(digest, blob)));
  }

  async putDelta(delta: DeltaSnapshot): Promise<string> {
    const digest = delta.resultDigest;
    if (await this.has(digest)) return digest;
    if (!(await this.has(delta.baseDigest))) throw this.missing(delta.baseDigest);
    await this.blobs.put(this.blobOf(digest, "delta"), await encodeDelta(delta), {
      contentType: ZSTD_CONTENT,
      metadata: { "dsp-set-digest": digest, "dsp-set-count": String(delta.resultCount), "dsp-base-digest": delta.baseDigest },
    });
    return digest;
  }

  async get(digest: string): Promise<IdSet> {
    return this.read(digest, IN_MEMORY, []);
  }

  async getSpilled(digest: string, directory: string): Promise<SpilledSet> {
    return this.read(digest, onDisk(directory), []);
  }

  async put(set: IdSet | SpilledSet): Promise<string> {
    const digest = set instanceof SpilledSet ? await set.digest() : setDigest(set);
    // Only a whole copy counts: a delta whose base was lost is repaired by writing the set whole.
    if ((await this.formsOf(digest)).some((form) => form !== "delta")) return digest;
    const level = this.options.level === undefined ? {} : { level: this.options.level };
    await this.blobs.put(
      this.blobOf(digest, "zstd"),
      { stream: () => snapshotStream(set, level) },
      { contentType: ZSTD_CONTENT, metadata: { "dsp-set-digest": digest, "dsp-set-count": String(set.size) } },
    );
    return digest;
  }

  async readRecord(name: string): Promise<unknown> {
    const text = await this.blobs.get(this.recordBlobOf(name), async (body) => (await gather(body)).toString("utf8"));
    return text === undefined ? undefined : (JSON.parse(text) as unknown);
  }

  async writeRecord(name: string, value: unknown): Promise<void> {
    await this.blobs.put(this.recordBlobOf(name), Buffer.from(JSON.stringify(value), "utf8"), { contentType: "application/json" });
  }

  async deleteRecord(name: string): Promise<void> {
    await this.blobs.delete(this.recordBlobOf(name));
  }

  async listRecords(prefix: string): Promise<string[]> {
    // Temporary files of writes in progress, and records moved aside, do not end in `.json`.
    const blobs = await this.blobs.list(`${RECORDS_FOLDER}${prefix}`);
    return blobs.filter((b) => b.endsWith(".json")).map((b) => b.slice(RECORDS_FOLDER.length, -".json".length));
  }

  /**
   * The set `digest`, from the first of its forms that reads; a form found corrupt (and moved
   * aside) gives way to the next, and its error is the one reported when none reads. `above`
   * holds the sets whose deltas led here: a chain that comes back to one of them (possible only
   * once whole copies are lost) has no whole base, so it ends as a missing one, never a loop.
   */
  private async read<T extends object>(digest: string, reading: SetReading<T>, above: readonly string[]): Promise<T> {
    let corrupt: SnapshotCorruptError | undefined;
    for (const form of READ_ORDER) {
      const blob = this.blobOf(digest, form);
      try {
        const set = form === "delta" ? await this.readOverBase(digest, reading, above) : await this.readBlob(blob, (body) => reading.decode(body, this.decodeOptions(digest, blob)));
        if (set !== undefined) return set;
      } catch (error) {
        if (!this.isCorruptionOf(error, blob)) throw corrupt ?? error;
        corrupt ??= error;
      }
    }
    throw corrupt ?? this.missing(digest);
  }

  /** The set `digest` as its delta over its base, read first; undefined when there is no such delta. */
  private async readOverBase<T extends object>(digest: string, reading: SetReading<T>, above: readonly string[]): Promise<T | undefined> {
    const delta = await this.getDelta(digest);
    if (delta === undefined) return undefined;
    const chain = [...above, digest];
    if (chain.includes(delta.baseDigest)) throw this.missing(delta.baseDigest);
    const base = await this.read(delta.baseDigest, reading, chain);
    const blob = this.blobOf(digest, "delta");
    try {
      return await reading.apply(delta, base, this.blobs.locate(blob));
    } catch (error) {
      if (this.isCorruptionOf(error, blob)) throw await this.quarantine(blob, error);
      throw error;
    }
  }

  /** Blob `blob` read by `decode`; a blob corrupt on two reads is moved aside. undefined when there is none. */
  private async readBlob<T extends object>(blob: string, decode: (body: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T | undefined> {
    try {
      return await this.blobs.get(blob, decode);
    } catch (first) {
      if (!this.isCorruptionOf(first, blob)) throw first;
    }
    try {
      return await this.blobs.get(blob, decode);
    } catch (second) {
      if (!this.isCorruptionOf(second, blob)) throw second;
      throw await this.quarantine(blob, second);
    }
  }

  private isCorruptionOf(error: unknown, blob: string): error is SnapshotCorruptError {
    return error instanceof SnapshotCorruptError && error.location === this.blobs.locate(blob);
  }

  /** Moves a corrupt blob aside; returns the error to throw (saying where it went, when it could be moved). */
  private async quarantine(blob: string, error: SnapshotCorruptError): Promise<SnapshotCorruptError> {
    const aside = await this.blobs.quarantine(blob);
    if (aside === undefined) return error; // e.g. a read-only store: still report the corruption itself
    return new SnapshotCorruptError(error.digest, error.location, `${error.reason}; moved aside to ${aside}`, { cause: error });
  }

  private missing(digest: string): SnapshotMissingError {
    return new SnapshotMissingError(digest, this.blobs.locate(this.blobOf(digest, "zstd")));
  }

  private decodeOptions(digest: string, blob: string): SnapshotDecodeOptions & { location: string } {
    const location = this.blobs.locate(blob);
    return this.options.fingerprinter === undefined ? { expectedDigest: digest, location } : { expectedDigest: digest, location, fingerprinter: this.options.fingerprinter };
  }


}
