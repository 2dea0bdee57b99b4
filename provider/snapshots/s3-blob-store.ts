/**
 * Blobs as objects in an S3 bucket or an S3-compatible server, through AWS's own client
 * (`@aws-sdk/client-s3`): the same credential chain and endpoint options as the Pulumi CLI's
 * `s3://` backend. The SDK is required on first use only, so file stores never load it.
 */
import type { Readable } from "node:stream";
import type { CompletedPart, S3Client } from "@aws-sdk/client-s3";
import { fixedSizeParts } from "./blob-parts";
import { quarantineName, type BlobBody, type BlobPutOptions, type BlobStore } from "./blob-store";
import { loadS3Sdk, type S3Sdk } from "./s3-sdk";

/**
 * How the S3 client reaches the bucket: the settings an `s3://` URL's query gives (see
 * config/snapshot-location.ts), handed to the SDK's `S3Client` as they are. Written out rather
 * than taken from the SDK's types, so that this package's declarations compile without it.
 */
export interface S3ClientSettings {
  /** `region=`. @default the AWS SDK's (AWS_REGION, profile) */
  readonly region?: string;
  /** `endpoint=`: an S3-compatible server. @default AWS */
  readonly endpoint?: string;
  /** `s3ForcePathStyle=true` or `use_path_style=true`: `<endpoint>/<bucket>/<key>` addressing. @default false */
  readonly forcePathStyle?: boolean;
  /** `profile=`: a shared-config profile. @default the AWS SDK's (AWS_PROFILE) */
  readonly profile?: string;
  /** `dualstack=true`. @default false */
  readonly useDualstackEndpoint?: boolean;
  /** `fips=true`. @default false */
  readonly useFipsEndpoint?: boolean;
  /** `accelerate=true`: S3 Transfer Acceleration. @default false */
  readonly useAccelerateEndpoint?: boolean;
  /** `request_checksum_calculation=when_required` for servers that reject the newer checksum headers. @default when_supported */
  readonly requestChecksumCalculation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
  /** `response_checksum_validation=`. @default when_supported */
  readonly responseChecksumValidation?: "WHEN_SUPPORTED" | "WHEN_REQUIRED";
}

/** Static credentials (tests, S3-compatible servers); otherwise the SDK's default chain finds them. */
export interface S3StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What the store hands to the SDK's `S3Client`. */
export type S3ClientOptions = S3ClientSettings & { readonly credentials?: S3StaticCredentials };

const MIB = 1024 * 1024;
/**
 * S3's multipart limits: every part but the last at least 5 MiB, none above 5 GiB, at most 10,000
 * parts (https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html).
 */
export const S3_MIN_PART_BYTES = 5 * MIB;
export const S3_MAX_PART_BYTES = 5 * 1024 * MIB;
export const S3_MAX_PARTS = 10_000;
/** 64 MiB parts: objects up to 625 GiB (a snapshot of 100M cookie IDs is about 1.7 GB), one part in memory. */
export const DEFAULT_PART_BYTES = 64 * MIB;

/** Options for {@link S3BlobStore}. */
export interface S3BlobStoreOptions {
  readonly bucket: string;
  /** Key prefix, without leading or trailing `/`. @default "" (the bucket root) */
  readonly prefix?: string;
  /**
   * S3 client settings (region, endpoint, forcePathStyle, profile, …). Credentials come from the
   * SDK's default chain (AWS_* variables, profiles, SSO, web identity, instance roles) unless given.
   * @default {} (everything from the environment)
   */
  readonly client?: S3ClientOptions;
  /**
   * Size of the parts a large blob is uploaded in, in bytes. A blob of at most one part is one
   * PUT; a larger one is a multipart upload of parts this size (the last one shorter), read from
   * the blob's stream one part at a time, so one part is what a put holds in memory. S3 takes 5 MiB
   * to 5 GiB, and at most 10,000 parts to an object.
   * @default 64 MiB
   */
  readonly partBytes?: number;
}

/**
 * A blob is the object `<prefix>/<name>`. A put of at most one part is one PUT; a larger one is a
 * multipart upload (with a CRC32 checksum on each part, as S3 documents for multipart uploads),
 * aborted when any step fails, so no parts are left behind to be billed. Either way S3 never shows
 * a partial object, and the SDK's request checksum guards the bytes of each request in transit.
 */
export class S3BlobStore implements BlobStore {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly partBytes: number;
  private client: S3Client | undefined;
  private sdk: S3Sdk | undefined;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.location = `s3://${this.bucket}${this.prefix === "" ? "" : `/${this.prefix}`}`;
    this.partBytes = options.partBytes ?? DEFAULT_PART_BYTES;
    if (!Number.isSafeInteger(this.partBytes) || this.partBytes < S3_MIN_PART_BYTES || this.partBytes > S3_MAX_PART_BYTES) {
      throw new RangeError(`S3 part size must be a whole number of bytes from 5 MiB to 5 GiB (got ${options.partBytes})`);
    }
  }

  /** The object key of blob `name`. */
  keyOf(name: string): string {
    return this.prefix === "" ? name : `${this.prefix}/${name}`;
  }

  locate(name: string): string {
    return `s3://${this.bucket}/${this.keyOf(name)}`;
  }

  async get<T extends object | string>(name: string, consume: (body: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T | undefined> {
    const { sdk, client } = this.connect();
    let body: Readable | undefined;
    try {
      const response = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }));
      body = response.Body as Readable | undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw this.failed("GET", name, error);
    }
    try {
      return await consume(body ?? noBytes());
    } finally {
      body?.destroy(); // a reader that stopped early must not hold the connection
    }
  }

  async put(name: string, body: BlobBody, options: BlobPutOptions): Promise<void> {
    if (body instanceof Uint8Array && body.byteLength <= this.partBytes) return this.putObject(name, body, options);
    const parts = fixedSizeParts(body instanceof Uint8Array ? [body] : body.stream(), this.partBytes);
    try {
      // Nothing beyond one part: one PUT (an empty blob is an empty object).
      const first = await parts.next();
      if (first.done === true) return await this.putObject(name, new Uint8Array(0), options);
      const second = await parts.next();
      if (second.done === true) return await this.putObject(name, first.value, options);
      await this.putInParts(name, [first.value, second.value], parts, options);
    } finally {
      await parts.return(undefined); // a failed upload stops reading the blob's stream
    }
  }

  private async putObject(name: string, body: Uint8Array, options: BlobPutOptions): Promise<void> {
    const { sdk, client } = this.connect();
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(name),
          Body: body,
          ContentLength: body.byteLength,
          ContentType: options.contentType,
          ...metadataOf(options),
        }),
      );
    } catch (error) {
      throw this.failed("PUT", name, error);
    }
  }

  /** A multipart upload of `firsts` then the rest of `parts`, in order; aborted if any step fails. */
  private async putInParts(name: string, firsts: readonly Buffer[], parts: AsyncIterator<Buffer>, options: BlobPutOptions): Promise<void> {
    const { sdk, client } = this.connect();
    const object = { Bucket: this.bucket, Key: this.keyOf(name) };
    let uploadId: string | undefined;
    try {
      uploadId = (await client.send(new sdk.CreateMultipartUploadCommand({ ...object, ContentType: options.contentType, ChecksumAlgorithm: "CRC32", ...metadataOf(options) }))).UploadId;
      if (uploadId === undefined) throw new Error("CreateMultipartUpload returned no UploadId");
      const completed: CompletedPart[] = [];
      const upload = async (part: Buffer): Promise<void> => {
        const PartNumber = completed.length + 1;
        if (PartNumber > S3_MAX_PARTS) throw new RangeError(`more than ${S3_MAX_PARTS} parts of ${this.partBytes} bytes: set a larger part size`);
        const sent = await client.send(new sdk.UploadPartCommand({ ...object, UploadId: uploadId, PartNumber, Body: part, ContentLength: part.byteLength, ChecksumAlgorithm: "CRC32" }));
        completed.push({ PartNumber, ETag: sent.ETag, ...(sent.ChecksumCRC32 === undefined ? {} : { ChecksumCRC32: sent.ChecksumCRC32 }) });
      };
      for (const part of firsts) await upload(part);
      for (let next = await parts.next(); next.done !== true; next = await parts.next()) await upload(next.value);
      await client.send(new sdk.CompleteMultipartUploadCommand({ ...object, UploadId: uploadId, MultipartUpload: { Parts: completed } }));
    } catch (error) {
      if (uploadId !== undefined) await this.abortUpload(object, uploadId);
      throw this.failed("PUT", name, error);
    }
  }

  /** Best effort: the failure that led here is what the caller reports; S3's lifecycle rules can clean up what this misses. */
  private async abortUpload(object: { Bucket: string; Key: string }, uploadId: string): Promise<void> {
    const { sdk, client } = this.connect();
    await client.send(new sdk.AbortMultipartUploadCommand({ ...object, UploadId: uploadId })).catch(() => undefined);
  }

  async list(prefix: string): Promise<string[]> {
    const { sdk, client } = this.connect();
    const names: string[] = [];
    const strip = this.keyOf("").length;
    let token: string | undefined;
    do {
      let page;
      try {
        page = await client.send(new sdk.ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyOf(prefix), ...(token === undefined ? {} : { ContinuationToken: token }) }));
      } catch (error) {
        throw this.failed("LIST", prefix, error);
      }
      for (const object of page.Contents ?? []) if (object.Key !== undefined) names.push(object.Key.slice(strip));
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return names;
  }

  async delete(name: string): Promise<void> {
    const { sdk, client } = this.connect();
    try {
      // S3 answers a DELETE of a missing key with success too.
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }));
    } catch (error) {
      throw this.failed("DELETE", name, error);
    }
  }

  async quarantine(name: string): Promise<string | undefined> {
    const { sdk, client } = this.connect();
    const aside = quarantineName(name);
    try {
      await client.send(new sdk.CopyObjectCommand({ Bucket: this.bucket, Key: this.keyOf(aside), CopySource: `${this.bucket}/${encodeKey(this.keyOf(name))}` }));
      await client.send(new sdk.DeleteObjectCommand({ Bucket: this.bucket, Key: this.keyOf(name) }));
    } catch {
      return undefined; // e.g. read-only credentials: the caller still reports the corruption itself
    }
    return this.locate(aside);
  }

  /** Releases the client's connections (tests; long-lived processes never need to). */
  close(): void {
    this.client?.destroy();
    this.client = undefined;
  }

  private connect(): { sdk: S3Sdk; client: S3Client } {
    this.sdk ??= loadS3Sdk(`the snapshot store ${this.location}`);
    if (this.client === undefined) this.client = new this.sdk.S3Client(this.options.client ?? {});
    return { sdk: this.sdk, client: this.client };
  }

  /** An SDK failure with the operation and object named, the SDK error kept as the cause. */
  private failed(operation: string, name: string, error: unknown): Error {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new Error(`${operation} ${this.locate(name)} failed: ${detail}`, { cause: error });
  }
}

function metadataOf(options: BlobPutOptions): { Metadata?: Record<string, string> } {
  return options.metadata === undefined ? {} : { Metadata: { ...options.metadata } };
}

async function* noBytes(): AsyncGenerator<Uint8Array> {
  // An object without a body reads as empty: the decoder then says what is missing.
}

/** CopySource is a URL path: each key segment is percent-encoded. */
function encodeKey(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

/** 404 from HEAD (no body, so `NotFound`) or GET (`NoSuchKey`). A missing bucket is not a missing blob. */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "NoSuchKey" || error.name === "NotFound") return true;
  const status = (error as Error & { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 404 && error.name !== "NoSuchBucket";
}
