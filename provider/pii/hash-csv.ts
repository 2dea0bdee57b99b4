/**
 * Writes a hashed CSV (`external_id,email_sha256,…,zip_sha256`) for teams that upload by other
 * means. Output appears only when the whole input is valid: it is written to a temporary file
 * beside the target (mode 0600: hashed PII is still personal data) and renamed at the end.
 */
import { once } from "node:events";
import * as fs from "node:fs";
import type { CsvReadSummary } from "./input-tally";
import { hashCsvBatches, type BatchOptions } from "./parallel";
import { HASHED_CSV_HEADER } from "./record-format";

/** Consecutive hashed-CSV lines joined by "\n" (no final "\n"). */
export interface HashedCsvChunk {
  readonly text: string;
  /** `text` as latin1 bytes, when the reader has them already (spares a copy). */
  readonly bytes?: Buffer;
  readonly records: number;
}

/** Hashed-CSV lines in file order; returns the read summary (e.g. the records layer's readHashedLines). */
export type HashedCsvSource = AsyncIterator<HashedCsvChunk, CsvReadSummary, undefined>;

export interface HashCsvFileOptions extends Omit<BatchOptions, "format"> {
  /** Called after each chunk is written, with the number of records in it. */
  readonly onProgress?: (records: number) => void;
}

export interface HashCsvFileResult extends CsvReadSummary {
  readonly outputPath: string;
  readonly bytesWritten: number;
}

/**
 * Hashes `input` into `outputPath`: a CSV path (raw or pre-hashed, see readHashedRecords; read
 * with hashCsvBatches and `options`), or a source of hashed-CSV lines read by the caller.
 * @throws PiiInputError listing the input's problems (or whatever the source throws); nothing is written then.
 */
export async function hashCsvFile(input: string | HashedCsvSource, outputPath: string, options: HashCsvFileOptions = {}): Promise<HashCsvFileResult> {
  const { onProgress, ...batchOptions } = options;
  const temporary = `${outputPath}.partial-${process.pid}`;
  const out = fs.createWriteStream(temporary, { mode: 0o600 });
  let writeError: Error | undefined;
  out.on("error", (error) => (writeError ??= error));
  const write = async (text: string | Buffer): Promise<void> => {
    if (writeError !== undefined) throw writeError;
    if (!(typeof text === "string" ? out.write(text, "latin1") : out.write(text))) await once(out, "drain");
  };
  try {
    await write(`${HASHED_CSV_HEADER}\n`);
    const chunks: HashedCsvSource = typeof input === "string" ? fileChunks(input, batchOptions) : input;
    let summary: CsvReadSummary;
    for (;;) {
      const next = await chunks.next();
      if (next.done === true) {
        summary = next.value;
        break;
      }
      await write(next.value.bytes ?? next.value.text);
      await write("\n");
      onProgress?.(next.value.records);
    }
    out.end();
    await once(out, "close");
    if (writeError !== undefined) throw writeError;
    await fs.promises.rename(temporary, outputPath);
    return { ...summary, outputPath, bytesWritten: out.bytesWritten };
  } catch (error) {
    // Let pending writes settle before removing the file, so none lands after the removal.
    if (!out.closed) {
      out.end();
      await once(out, "close").catch(() => undefined);
    }
    await fs.promises.rm(temporary, { force: true });
    throw error;
  }
}

async function* fileChunks(inputPath: string, options: Omit<BatchOptions, "format">): AsyncGenerator<HashedCsvChunk, CsvReadSummary, undefined> {
  const batches = hashCsvBatches(inputPath, { ...options, format: "csv" });
  for (;;) {
    const next = await batches.next();
    if (next.done === true) return next.value;
    yield { text: next.value.data.toString("latin1"), bytes: next.value.data, records: next.value.records };
  }
}
