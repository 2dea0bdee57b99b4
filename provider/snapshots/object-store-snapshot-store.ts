import { S3BlobStore, type S3BlobStoreOptions } from "./s3-blob-store";
import { BlobSnapshotStore, type SnapshotStoreOptions } from "./snapshot-store";

/** Options for {@link S3SnapshotStore}. */
export interface S3SnapshotStoreOptions extends S3BlobStoreOptions, SnapshotStoreOptions {}

/**
 * A {@link SnapshotStore} in an S3 bucket or an S3-compatible server:
 * `<prefix>/<first 2 hex>/<digest>.ids.zst` (`.ids.gz` before issue 14, `.delta.zst` for a set
 * stored as a delta) and `<prefix>/records/<name>.json`, the same layout as
 * {@link FileSnapshotStore}, so a folder synced to a bucket (or back) stays valid. An object of at
 * most one part is one PUT, a larger one a multipart upload (see {@link S3BlobStore}); the rest
 * is {@link BlobSnapshotStore}'s.
 */
export class S3SnapshotStore extends BlobSnapshotStore<S3BlobStore> {
  readonly bucket: string;
  readonly prefix: string;

  constructor(options: S3SnapshotStoreOptions) {
    super(new S3BlobStore(options), options);
    this.bucket = this.blobs.bucket;
    this.prefix = this.blobs.prefix;
  }

  /** The object key a new whole snapshot with this digest is written to (zstd). */
  keyOf(digest: string): string {
    return this.blobs.keyOf(this.blobOf(digest, "zstd"));
  }

  /** The key of a whole snapshot written before issue 14 (gzip), still read. */
  legacyKeyOf(digest: string): string {
    return this.blobs.keyOf(this.blobOf(digest, "gzip"));
  }

  /** The object key that holds (or would hold) the set with this digest as a delta. */
  deltaKeyOf(digest: string): string {
    return this.blobs.keyOf(this.blobOf(digest, "delta"));
  }

  /** `s3://bucket/key` of a digest, for messages. */
  urlOf(digest: string): string {
    return this.blobs.locate(this.blobOf(digest, "zstd"));
  }

  /** The object key of a record: `<prefix>/records/<name>.json`. */
  recordKey(name: string): string {
    return this.blobs.keyOf(this.recordBlobOf(name));
  }

  /** Releases the client's connections (tests; long-lived processes never need to). */
  close(): void {
    this.blobs.close();
  }
}
