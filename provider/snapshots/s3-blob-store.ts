/**
 * Blobs as objects in an S3 bucket or an S3-compatible server, through AWS's own client
 * (`@aws-sdk/client-s3`): the same credential chain and endpoint options as the Pulumi CLI's
 * `s3://` backend. The SDK is required on first use only, so file stores never load it.
 */
import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { S3Client } from "@aws-sdk/client-s3";
import { gather, quarantineName, type BlobBody, type BlobPutOptions, type BlobStore } from "./blob-store";
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
}

/**
 * A blob is the object `<prefix>/<name>`. A put is one PUT of the whole object: S3 never shows a
 * partial object, and the SDK's request checksum guards the bytes in transit.
 */
export class S3BlobStore implements BlobStore {
  readonly location: string;
  readonly bucket: string;
  readonly prefix: string;
  private client: S3Client | undefined;
  private sdk: S3Sdk | undefined;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? "").replace(/^\/+|\/+$/g, "");
    this.location = `s3://${this.bucket}${this.prefix === "" ? "" : `/${this.prefix}`}`;
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
    if (body instanceof Uint8Array) return this.putObject(name, body, body.length, options);
    if (body.spoolDirectory === undefined) {
      const bytes = await gather(body.stream());
      return this.putObject(name, bytes, bytes.length, options);
    }
    // S3 wants the length up front: spooled to a file first, then one streamed PUT.
    const spool = join(body.spoolDirectory, `${randomUUID()}.s3-upload`);
    try {
      await pipeline(body.stream(), createWriteStream(spool));
      await this.putObject(name, createReadStream(spool), (await stat(spool)).size, options);
    } finally {
      await rm(spool, { force: true });
    }
  }

  private async putObject(name: string, body: Uint8Array | Readable, length: number, options: BlobPutOptions): Promise<void> {
    const { sdk, client } = this.connect();
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.keyOf(name),
          Body: body,
          ContentLength: length,
          ContentType: options.contentType,
          ...(options.metadata === undefined ? {} : { Metadata: { ...options.metadata } }),
        }),
      );
    } catch (error) {
      throw this.failed("PUT", name, error);
    }
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
