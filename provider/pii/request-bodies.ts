/**
 * The whole pipeline for an upload: CSV → normalised, hashed records → request bodies for
 * POST /dp/records/hashed of at most 5 MB each.
 */
import { readHashedRecords } from "./csv-records";
import type { CsvReadSummary } from "./input-tally";
import { createBodyPacker, packHashedRecordsAsync, type PackedBody } from "./pack-hashed-records";
import { hashCsvBatches, type BatchOptions } from "./parallel";

export interface RequestBodyOptions extends Omit<BatchOptions, "format"> {
  /** Largest body in bytes. @default 5_000_000 ({@link MAX_HASHED_BODY_BYTES}) */
  readonly maxBodyBytes?: number;
  /**
   * "chunks": whole-record chunks, split and processed by {@link hashCsvBatches} (workers per
   * `workers`). "stream": the csv-parse streaming reader on the calling thread; slower, kept as
   * the reference the chunked path is tested against.
   * @default "chunks"
   */
  readonly reader?: "chunks" | "stream";
}

/**
 * Yields request bodies in file order; every valid record is in exactly one body. Returns the
 * read summary. Bodies are yielded before the whole file is read: if this throws
 * (PiiInputError), bodies already yielded came from a file that failed validation.
 */
export async function* hashedRecordBodiesFromCsv(
  path: string,
  options: RequestBodyOptions = {},
): AsyncGenerator<PackedBody, CsvReadSummary, undefined> {
  const { maxBodyBytes, reader, ...rest } = options;
  if (reader === "stream") {
    const summary = yield* packHashedRecordsAsync(readHashedRecords(path, rest), maxBodyBytes);
    if (summary === undefined) throw new Error("readHashedRecords ended without a summary");
    return summary;
  }
  const packer = createBodyPacker(maxBodyBytes);
  const batches = hashCsvBatches(path, { ...rest, format: "json" });
  for (;;) {
    const next = await batches.next();
    if (next.done === true) {
      const last = packer.flush();
      if (last !== undefined) yield last;
      return next.value;
    }
    yield* packer.addJoined(next.value.data.toString("latin1"), next.value.lengths);
  }
}
