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

export type HashCsvFileOptions = Omit<BatchOptions, "format">;

export interface HashCsvFileResult extends CsvReadSummary {
  readonly outputPath: string;
  readonly bytesWritten: number;
}

/**
 * Hashes `inputPath` (raw or pre-hashed, see readHashedRecords) into `outputPath`.
 * @throws PiiInputError listing the input's problems; nothing is written then.
 */
export async function hashCsvFile(inputPath: string, outputPath: string, options: HashCsvFileOptions = {}): Promise<HashCsvFileResult> {
  const temporary = `${outputPath}.partial-${process.pid}`;
  const out = fs.createWriteStream(temporary, { mode: 0o600 });
  let writeError: Error | undefined;
  out.on("error", (error) => (writeError ??= error));
  const write = async (text: string | Buffer): Promise<void> => {
    if (writeError !== undefined) throw writeError;
    if (!out.write(text)) await once(out, "drain");
  };
  try {
    await write(`${HASHED_CSV_HEADER}\n`);
    const batches = hashCsvBatches(inputPath, { ...options, format: "csv" });
    let summary: CsvReadSummary;
    for (;;) {
      const next = await batches.next();
      if (next.done === true) {
        summary = next.value;
        break;
      }
      await write(next.value.data);
      await write("\n");
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
