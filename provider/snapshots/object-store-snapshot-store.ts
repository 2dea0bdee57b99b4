/**
 * Applied-set snapshots in an S3 bucket or an S3-compatible server, through AWS's own client
 * (`@aws-sdk/client-s3`): the same credential chain and endpoint options as the Pulumi CLI's
 * `s3://` backend. The SDK is required on first use only, so file stores never load it.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { isSetDigest, setDigest, SpilledSet, type Fingerprinter, type IdSet } from "../plan";
import { encodeSnapshot, SNAPSHOT_SUFFIXES, snapshotStream } from "./snapshot-codec";
import { decodeDelta, encodeDelta, type DeltaSnapshot } from "./delta-codec";
import { IN_MEMORY, onDisk, type SetReading } from "./set-reading";
import { SnapshotCorruptError, SnapshotMissingError } from "./snapshot-errors";
import { checkRecordName, type SnapshotStore } from "./snapshot-store";

type S3Sdk = typeof import("@aws-sdk/client-s3");

/** Options for {@link S3SnapshotStore}. */
export interface S3SnapshotStoreOptions {
  readonly bucket: string;
  /** Key prefix, without leading or trailing `/`. @default "" (the bucket root) */
  readonly prefix?: string;
  /**
   * S3 client settings (region, endpoint, forcePathStyle, profile, …). Credentials come from the
   * SDK's default chain (AWS_* variables, profiles, SSO, web identity, instance roles) unless given.
   * @default {} (everything from the environment)
   */
  readonly client?: S3ClientConfig;
  /** zstd level for new whole snapshots. @default 1 */
  readonly level?: number;
  /** Fingerprint algorithm of the sets read back. @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
}

/**
 * A {@link SnapshotStore} in a bucket: `<prefix>/<first 2 hex>/<digest>.ids.gz` (or
 * `<digest>.delta.zst` for a set stored as a delta), the same layout as {@link FileSnapshotStore},
 * so a folder synced to a bucket (or back) stays valid.
 *
 * - **Atomic**: a snapshot is one PUT of the whole object; S3 never shows a partial object, and
 *   the SDK's request checksum guards the bytes in transit.
 * - **Content-addressed**: the key is the set's digest; a set already stored is not sent again.
 * - **Verified on read**: {@link decodeSnapshot} checks gzip, header, count, order and digest.
 *   A corrupt object is read a second time (a dropped connection is not corruption); if it is
 *   still corrupt it is copied to `<key>.corrupt` and deleted, so a later `put` or a re-assert
 *   can write a good copy, as the file store does.
 */
export class S3SnapshotStore implements SnapshotStore {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  private client: S3Client | undefined;
  private sdk: S3Sdk | undefined;

  constructor(private readonly options: S3SnapshotStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.location = `s3://${this.bucket}${this.prefix === "" ? "" : `/${this.prefix}`}`;
  }

  /** The object key a new whole snapshot with this digest is written to (zstd). */
  keyOf(digest: string): string {
    return this.objectKey(digest, SNAPSHOT_SUFFIXES.zstd);
  }

  /** The key of a whole snapshot written before issue 14 (gzip), still read. */
  legacyKeyOf(digest: string): string {
    return this.objectKey(digest, SNAPSHOT_SUFFIXES.gzip);
  }

  private objectKey(digest: string, suffix: string): string {
    if (!isSetDigest(digest)) throw new RangeError(`not a set digest: ${JSON.stringify(digest)}`);
    const name = `${digest.slice(0, 2)}/${digest}${suffix}`;
    return this.prefix === "" ? name : `${this.prefix}/${name}`;
  }

  /** The key of the whole snapshot with this digest, in either codec; undefined when there is none. */
  private async wholeKeyOf(digest: string): Promise<string | undefined> {
    for (const key of [this.keyOf(digest), this.legacyKeyOf(digest)]) if (await this.exists(key)) return key;
    return undefined;
  }

  /** `s3://bucket/key` of a digest, for messages. */
  urlOf(digest: string): string {
    return `s3://${this.bucket}/${this.keyOf(digest)}`;
  }

  /** The object key that holds (or would hold) the set with this digest as a delta. */
  deltaKeyOf(digest: string): string {
    return this.objectKey(digest, ".delta.zst");
  }

  async has(digest: string): Promise<boolean> {
    return (await this.wholeKeyOf(digest)) !== undefined || (await this.exists(this.deltaKeyOf(digest)));
  }

  async depthOf(digest: string): Promise<number | undefined> {
    if ((await this.wholeKeyOf(digest)) !== undefined) return 0;
    return (await this.getDelta(digest))?.depth;
  }

  async getDelta(digest: string): Promise<DeltaSnapshot | undefined> {
    const key = this.deltaKeyOf(digest);
    let bytes: Uint8Array;
    try {
      const { sdk, client } = this.connect();
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.wrapKey("GET", key, error);
    }
    return decodeDelta(bytes, { expectedDigest: digest, location: `s3://${this.bucket}/${key}`, ...this.fingerprinterOption() });
  }

  async putDelta(delta: DeltaSnapshot): Promise<string> {
    const digest = delta.resultDigest;
    if (await this.has(digest)) return digest;
    if (!(await this.has(delta.baseDigest))) throw new SnapshotMissingError(delta.baseDigest, this.urlOf(delta.baseDigest));
    const { sdk, client } = this.connect();
    const key = this.deltaKeyOf(digest);
    const body = await encodeDelta(delta);
    try {
      // One PUT: S3 shows the whole object or none.
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: body.length,
          ContentType: "application/zstd",
          Metadata: { "dsp-set-digest": digest, "dsp-set-count": String(delta.resultCount), "dsp-base-digest": delta.baseDigest },
        }),
      );
    } catch (error) {
      throw this.wrapKey("PUT", key, error);
    }
    return digest;
  }

  async get(digest: string): Promise<IdSet> {
    return (await this.getWithDepth(digest, IN_MEMORY)).set;
  }

  async getSpilled(digest: string, directory: string): Promise<SpilledSet> {
    return (await this.getWithDepth(digest, onDisk(directory))).set;
  }

  private async getWithDepth<T>(digest: string, reading: SetReading<T>): Promise<{ set: T; depth: number }> {
    try {
      return { set: await this.getFull(digest, reading), depth: 0 };
    } catch (error) {
      if (!(error instanceof SnapshotMissingError)) throw error;
      const delta = await this.getDelta(digest);
      if (delta === undefined) throw error;
      const set = await reading.resolve(delta, `s3://${this.bucket}/${this.deltaKeyOf(digest)}`, (base) => this.getWithDepth(base, reading));
      return { set, depth: delta.depth };
    }
  }

  private async getFull<T>(digest: string, reading: SetReading<T>): Promise<T> {
    // The zstd object, else one written before issue 14 (gzip); a HEAD each, cheap beside the GET.
    const key = (await this.wholeKeyOf(digest)) ?? this.keyOf(digest);
    try {
      return await this.read(digest, key, reading);
    } catch (first) {
      if (!(first instanceof SnapshotCorruptError)) throw first;
      let again: T;
      try {
        again = await this.read(digest, key, reading);
      } catch (second) {
        if (!(second instanceof SnapshotCorruptError)) throw second;
        throw await this.quarantine(key, second);
      }
      return again;
    }
  }

  private async exists(key: string): Promise<boolean> {
    const { sdk, client } = this.connect();
    try {
      await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw this.wrapKey("HEAD", key, error);
    }
  }

  private fingerprinterOption(): { fingerprinter?: Fingerprinter } {
    return this.options.fingerprinter === undefined ? {} : { fingerprinter: this.options.fingerprinter };
  }

  async put(set: IdSet | SpilledSet): Promise<string> {
    const digest = set instanceof SpilledSet ? await set.digest() : setDigest(set);
    // Only a whole copy counts: a delta whose base was lost is repaired by writing the set whole.
    if ((await this.wholeKeyOf(digest)) !== undefined) return digest;
    const level = this.options.level === undefined ? {} : { level: this.options.level };
    if (!(set instanceof SpilledSet)) {
      // One buffer, one PUT: ≈17 bytes per 22-character ID, so 5M IDs are ~85 MB, far below S3's
      // 5 GB single-PUT limit, and a single PUT is what makes the write atomic.
      const body = await encodeSnapshot(set, level);
      await this.putWhole(digest, set.size, body, body.length);
      return digest;
    }
    // A set larger than memory: compressed into a file beside it first, then one streamed PUT.
    const compressed = `${set.path}.zst`;
    try {
      await pipeline(snapshotStream(set, level), createWriteStream(compressed));
      await this.putWhole(digest, set.size, createReadStream(compressed), (await stat(compressed)).size);
    } finally {
      await rm(compressed, { force: true });
    }
    return digest;
  }

  private async putWhole(digest: string, count: number, body: Buffer | Readable, length: number): Promise<void> {
    const { sdk, client } = this.connect();
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(digest),
          Body: body,
          ContentLength: length,
          ContentType: "application/zstd",
          Metadata: { "dsp-set-digest": digest, "dsp-set-count": String(count) },
        }),
      );
    } catch (error) {
      throw this.wrap("PUT", digest, error);
    }
  }

  /** The object key of a record: `<prefix>/records/<name>.json`. */
  recordKey(name: string): string {
    const key = `records/${checkRecordName(name)}.json`;
    return this.prefix === "" ? key : `${this.prefix}/${key}`;
  }

  async readRecord(name: string): Promise<unknown> {
    const { sdk, client } = this.connect();
    const key = this.recordKey(name);
    let text: string;
    try {
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      text = (await response.Body?.transformToString("utf8")) ?? "";
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.wrapKey("GET", key, error);
    }
    return JSON.parse(text) as unknown;
  }

  async writeRecord(name: string, value: unknown): Promise<void> {
    const { sdk, client } = this.connect();
    const key = this.recordKey(name);
    const body = Buffer.from(JSON.stringify(value), "utf8");
    try {
      // One PUT: S3 shows the whole object or the previous one, never a part.
      await client.send(new sdk.PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.length, ContentType: "application/json" }));
    } catch (error) {
      throw this.wrapKey("PUT", key, error);
    }
  }

  async deleteRecord(name: string): Promise<void> {
    const { sdk, client } = this.connect();
    const key = this.recordKey(name);
    try {
      // S3 answers a DELETE of a missing key with success too.
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw this.wrapKey("DELETE", key, error);
    }
  }

  async listRecords(prefix: string): Promise<string[]> {
    const { sdk, client } = this.connect();
    const folder = this.recordKey("x").slice(0, -"x.json".length);
    const names: string[] = [];
    let token: string | undefined;
    do {
      let page;
      try {
        page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: folder + prefix, ...(token === undefined ? {} : { ContinuationToken: token }) }));
      } catch (error) {
        throw this.wrapKey("LIST", folder + prefix, error);
      }
      for (const object of page.Contents ?? []) {
        const key = object.Key ?? "";
        if (key.endsWith(".json")) names.push(key.slice(folder.length, -".json".length));
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return names;
  }

  /** Releases the client's connections (tests; long-lived processes never need to). */
  close(): void {
    this.client?.destroy();
    this.client = undefined;
  }

  private connect(): { sdk: S3Sdk; client: S3Client } {
    if (this.sdk === undefined) {
      // Node 20 is supported here (package.json engines) and the lockfile pins an SDK that runs on
      // it; the SDK's notice that later releases need Node 22 would otherwise open every preview.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
      this.sdk = require("@aws-sdk/client-s3") as S3Sdk;
    }
    if (this.client === undefined) this.client = new this.sdk.S3Client(this.options.client ?? {});
    return { sdk: this.sdk, client: this.client };
  }

  private async read<T>(digest: string, key: string, reading: SetReading<T>): Promise<T> {
    const { sdk, client } = this.connect();
    const url = `s3://${this.bucket}/${key}`;
    let body: AsyncIterable<Uint8Array>;
    try {
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (response.Body === undefined) throw new SnapshotCorruptError(digest, url, "the object has no body");
      body = response.Body as AsyncIterable<Uint8Array>;
    } catch (error) {
      if (error instanceof SnapshotCorruptError) throw error;
      if (isNotFound(error)) throw new SnapshotMissingError(digest, url);
      throw this.wrapKey("GET", key, error);
    }
    return reading.decode(body, { expectedDigest: digest, location: url, ...this.fingerprinterOption() });
  }

  /** Moves a corrupt object aside (copy, then delete); returns the error to throw. */
  private async quarantine(key: string, error: SnapshotCorruptError): Promise<SnapshotCorruptError> {
    const { sdk, client } = this.connect();
    const aside = `${key}.corrupt`;
    try {
      await client.send(new sdk.CopyObjectCommand({ Bucket: this.bucket, Key: aside, CopySource: `${this.bucket}/${encodeKey(key)}` }));
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch {
      return error; // e.g. read-only credentials: still report the corruption itself
    }
    return new SnapshotCorruptError(error.digest, `s3://${this.bucket}/${key}`, `${error.reason}; moved aside to s3://${this.bucket}/${aside}`, { cause: error });
  }

  /** An SDK failure with the operation and object named, the SDK error kept as the cause. */
  private wrap(operation: string, digest: string, error: unknown): Error {
    return this.wrapKey(operation, this.keyOf(digest), error);
  }

  private wrapKey(operation: string, key: string, error: unknown): Error {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new Error(`${operation} s3://${this.bucket}/${key} failed: ${detail}`, { cause: error });
  }
}

/** CopySource is a URL path: each key segment is percent-encoded. */
function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/** 404 from HEAD (no body, so `NotFound`) or GET (`NoSuchKey`). A missing bucket is not a missing snapshot. */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "NoSuchKey" || error.name === "NotFound") return true;
  const status = (error as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 && error.name !== "NoSuchBucket";
}
