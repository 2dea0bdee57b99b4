import { FileBlobStore } from "./file-blob-store";
import { BlobSnapshotStore, type SnapshotStoreOptions } from "./snapshot-store";

/** Options for {@link FileSnapshotStore}. */
export type FileSnapshotStoreOptions = SnapshotStoreOptions;

/**
 * A {@link SnapshotStore} in a directory: `<dir>/<first 2 hex>/<digest>.ids.zst` (or `.ids.gz`,
 * as written before issue 14, still read), or `<digest>.delta.zst` for a set stored as a delta;
 * records in `<dir>/records/`. Files are written whole or not at all (see {@link FileBlobStore});
 * the rest is {@link BlobSnapshotStore}'s.
 */
export class FileSnapshotStore extends BlobSnapshotStore<FileBlobStore> {
  constructor(directory: string, options: FileSnapshotStoreOptions = {}) {
    super(new FileBlobStore(directory), options);
  }

  /** The file a new whole snapshot with this digest is written to (zstd). */
  pathOf(digest: string): string {
    return this.blobs.locate(this.blobOf(digest, "zstd"));
  }

  /** The file of a whole snapshot written before issue 14 (gzip), still read. */
  legacyPathOf(digest: string): string {
    return this.blobs.locate(this.blobOf(digest, "gzip"));
  }

  /** The file that holds (or would hold) the set with this digest as a delta. */
  deltaPathOf(digest: string): string {
    return this.blobs.locate(this.blobOf(digest, "delta"));
  }

  /** The file of a record: `<dir>/records/<name>.json`. */
  recordPath(name: string): string {
    return this.blobs.locate(this.recordBlobOf(name));
  }
}
