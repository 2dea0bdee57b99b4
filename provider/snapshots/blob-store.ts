/**
 * What a snapshot store needs from where it keeps its bytes: named blobs (`ab/<digest>.ids.zst`,
 * `records/<name>.json`) that are written whole or not at all. A directory and an S3 bucket
 * implement it; the snapshot logic above it (snapshot-store.ts) is written once.
 */
import type { Readable } from "node:stream";

/**
 * The bytes of a new blob: in memory, or a stream made on demand (a whole snapshot can be far
 * larger than memory).
 */
export type BlobBody = Uint8Array | BlobStream;

export interface BlobStream {
  /** Opens the stream; called once per write. Stores read it as they write, never whole. */
  stream(): Readable;
}

/** How a blob is described to stores that keep such things (S3 object headers); files ignore it. */
export interface BlobPutOptions {
  readonly contentType: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface BlobStore {
  /** Where the blobs are, for messages: a directory, or `s3://bucket/prefix`. */
  readonly location: string;
  /** Where one blob is, for messages: a path, or an `s3://` URL. */
  locate(name: string): string;
  /**
   * Reads blob `name` with `consume`, which is given its bytes as they arrive; the blob's
   * resources are released when `consume` settles. @returns undefined when there is no such blob
   */
  get<T extends object | string>(name: string, consume: (body: AsyncIterable<Uint8Array>) => Promise<T>): Promise<T | undefined>;
  /** Writes blob `name` atomically (a reader sees the old blob or the whole new one) and durably. */
  put(name: string, body: BlobBody, options: BlobPutOptions): Promise<void>;
  /** The names of the blobs that start with `prefix`, in no particular order. */
  list(prefix: string): Promise<string[]>;
  /**
   * Moves blob `name` aside to `<name>.corrupt`, so that a good copy can be written in its place.
   * @returns where it went, or undefined when it could not be moved (e.g. a read-only store)
   */
  quarantine(name: string): Promise<string | undefined>;

  /** Removes blob `name`, durably; a no-op when there is none. */
  delete(name: string): Promise<void>;
}

/** All of a blob's bytes, for blobs read whole (deltas, records). */
export async function gather(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks);
}

/** The name of a blob that holds `name` quarantined. */
export function quarantineName(name: string): string {
  return `${name}.corrupt`;
}
