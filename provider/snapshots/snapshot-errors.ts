/**
 * Errors of applied-set snapshots. Each names the digest and where the
 * snapshot was looked for, never an ID.
 */

/**
 * What an operator can do when the applied set cannot be read back. Kept in
 * one place so every snapshot error gives the same advice.
 */
export const SNAPSHOT_RECOVERY_HINT =
  "Without it the previously applied membership is unknown, so removals cannot be computed. " +
  "Restore the snapshot file (it is content-addressed: any copy with this name is valid), " +
  "or run a full re-assert, which re-adds the whole desired set but cannot remove IDs dropped " +
  "since the last apply (they stay in the audience until their TTL expires).";

/** Base class: a snapshot could not be used. */
export class SnapshotError extends Error {
  override name = "SnapshotError";
  constructor(
    message: string,
    /** The set digest asked for, when known. */
    readonly digest: string | undefined,
    /** Where the snapshot was looked for (a path, or a description of the source). */
    readonly location: string,
    // Not ErrorOptions: a user's compiler targeting ES2020 (pulumi new's tsconfig) has no such name.
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown when no snapshot exists for a digest that state refers to. */
export class SnapshotMissingError extends SnapshotError {
  override name = "SnapshotMissingError";
  constructor(digest: string, location: string) {
    super(`Applied-set snapshot ${digest} not found at ${location}. ${SNAPSHOT_RECOVERY_HINT}`, digest, location);
  }
}

/**
 * Thrown when a snapshot is damaged: bad gzip, truncated, wrong count, or
 * content that does not hash to its digest. Never a silent partial set.
 */
export class SnapshotCorruptError extends SnapshotError {
  override name = "SnapshotCorruptError";
  constructor(
    digest: string | undefined,
    location: string,
    /** What is wrong, in a few words. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Applied-set snapshot ${digest ?? "(unknown digest)"} at ${location} is corrupt: ${reason}. ${SNAPSHOT_RECOVERY_HINT}`,
      digest,
      location,
      options,
    );
  }
}

/**
 * Thrown when a snapshot is intact but written in a format or with a
 * fingerprint algorithm this version does not read (e.g. by a newer
 * version). Upgrading, not recovery, is the fix.
 */
export class SnapshotUnsupportedError extends SnapshotError {
  override name = "SnapshotUnsupportedError";
  constructor(digest: string | undefined, location: string, detail: string) {
    super(`Applied-set snapshot ${digest ?? "(unknown digest)"} at ${location} is not readable by this version: ${detail}`, digest, location);
  }
}

/** The `code` of a Node.js system or zlib error (`ENOENT`, `Z_DATA_ERROR`, …), if any. */
export function nodeErrorCode(error: unknown): string | undefined {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}
