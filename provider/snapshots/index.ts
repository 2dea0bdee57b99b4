export {
  decodeSnapshot,
  encodeSnapshot,
  snapshotStream,
  type SnapshotDecodeOptions,
  type SnapshotEncodeOptions,
} from "./snapshot-codec";
export {
  SNAPSHOT_RECOVERY_HINT,
  SnapshotCorruptError,
  SnapshotError,
  SnapshotMissingError,
  SnapshotUnsupportedError,
} from "./snapshot-errors";
export { BlobSnapshotStore, type SnapshotStore, type SnapshotStoreOptions } from "./snapshot-store";
export { FileSnapshotStore, type FileSnapshotStoreOptions } from "./file-snapshot-store";
export type { BlobBody, BlobPutOptions, BlobStore, BlobStream } from "./blob-store";
export { S3SnapshotStore, type S3SnapshotStoreOptions } from "./object-store-snapshot-store";
export { decodeDelta, encodeDelta, type DeltaSnapshot } from "./delta-codec";
export { MAX_DELTA_DEPTH, worthADelta } from "./delta-chain";
export { isReadable, putNearBase, putOverBase, putSpilledNearBase, type NearBasePut } from "./near-base";
