/**
 * Errors about the caller's data, raised before anything is sent. They are
 * deliberately outside the `DspError` family: nothing went wrong on the wire.
 */

/** A value the caller passed is malformed (bad id, bad hash, bad record type). */
export class InvalidInputError extends Error {
  override name = "InvalidInputError";
  /** The input field (or record) at fault, e.g. `audienceIds[3]`. */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** One record alone exceeds a request limit, so no batch can hold it. */
export class RecordTooLargeError extends Error {
  override name = "RecordTooLargeError";
  /** Record id type, e.g. `COOKIE`, or `externalId` for hashed records. */
  readonly recordType: string;
  /** First characters of the record id, enough to find it, not to leak it. */
  readonly recordIdPreview: string;
  /** Bytes the record needs inside a request body. */
  readonly bytes: number;
  /** The limit it exceeds, in bytes. */
  readonly limitBytes: number;

  constructor(recordType: string, recordId: string, bytes: number, limitBytes: number) {
    const preview = previewRecordId(recordId);
    super(`Record ${recordType} ${preview} needs ${bytes} bytes, more than the ${limitBytes}-byte request limit; it cannot be sent`);
    this.recordType = recordType;
    this.recordIdPreview = preview;
    this.bytes = bytes;
    this.limitBytes = limitBytes;
  }
}

const PREVIEW_CHARS = 12;

/** Shortens a record id for messages: `abcdefghijkl… (1999 chars)`. */
export function previewRecordId(recordId: string): string {
  return recordId.length <= PREVIEW_CHARS
    ? JSON.stringify(recordId)
    : `${JSON.stringify(recordId.slice(0, PREVIEW_CHARS) + "…")} (${recordId.length} chars)`;
}
