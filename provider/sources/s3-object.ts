/**
 * `s3://bucket/key` file sources, read with the AWS SDK that snapshot stores use (credentials
 * from the SDK's usual chain) and the same URL options (`?endpoint=…&s3ForcePathStyle=true&region=…`).
 * CSV objects are streamed; a Parquet object is copied to a temporary file first, because
 * Parquet is read from its footer back and DuckDB reads it from a file.
 */
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseSnapshotUrl, type S3SnapshotLocation } from "../config/snapshot-location";
import { loadS3Sdk } from "../snapshots/s3-sdk";
import { SourceError } from "./source-error";

/** The object's bytes as a stream. */
export async function openS3Object(url: string): Promise<Readable> {
  let location: S3SnapshotLocation;
  try {
    location = parseSnapshotUrl(url, ".") as S3SnapshotLocation;
  } catch (error) {
    throw new SourceError(error instanceof Error ? error.message : String(error));
  }
  if (location.prefix === "") throw new SourceError("an s3:// source names an object: s3://<bucket>/<key>");
  // The SDK is loaded on first use only, as the snapshot store does.
  const sdk = loadS3Sdk("an s3:// source");
  const client = new sdk.S3Client(location.client);
  try {
    const response = await client.send(new sdk.GetObjectCommand({ Bucket: location.bucket, Key: location.prefix }));
    const body = response.Body as Readable | undefined;
    if (body === undefined) throw new SourceError("the object has no body");
    body.once("close", () => client.destroy());
    return body;
  } catch (error) {
    client.destroy();
    if (error instanceof SourceError) throw error;
    const name = error instanceof Error ? error.name : "error";
    throw new SourceError(name === "NoSuchKey" || name === "NotFound" ? "object not found" : `cannot be read (${name}: ${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Copies the object to a new temporary file inside `parent`; `remove` deletes it. */
export async function s3ObjectToTempFile(url: string, parent: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(parent, "s3-"));
  const path = join(dir, "object");
  const remove = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    await pipeline(await openS3Object(url), createWriteStream(path));
  } catch (error) {
    await remove();
    throw error;
  }
  return { path, remove };
}
