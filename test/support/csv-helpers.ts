/** Test helpers: temp files and one way to read a CSV through each reader path. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  hashCsvBatches,
  hashedRecordJson,
  readHashedRecords,
  type BatchOptions,
  type CsvReadSummary,
  type HashedCsvOptions,
  type HashedRecord,
} from "../../provider/pii";

export const TEST_KEY = "unit-test-key-0123456789";

export function makeTempDir(): { dir: string; file: (name: string, text: string) => string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pii-test-"));
  return {
    dir,
    file: (name, text) => {
      const target = path.join(dir, name);
      fs.writeFileSync(target, text);
      return target;
    },
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export type ReaderPath = "stream" | "inline" | "workers";

export interface ReadOutcome {
  /** API JSON item per record, in order. */
  readonly items: string[];
  readonly summary?: CsvReadSummary;
  readonly error?: Error;
}

/** Reads `file` through one reader path; never throws, the error is part of the outcome. */
export async function readThrough(route: ReaderPath, file: string, options: HashedCsvOptions & BatchOptions = {}): Promise<ReadOutcome> {
  const items: string[] = [];
  try {
    if (route === "stream") {
      const records = readHashedRecords(file, options);
      for (;;) {
        const next = await records.next();
        if (next.done === true) return { items, summary: next.value };
        items.push(hashedRecordJson(next.value));
      }
    }
    const batches = hashCsvBatches(file, { ...options, workers: route === "inline" ? 0 : (options.workers ?? 2), format: "json" });
    for (;;) {
      const next = await batches.next();
      if (next.done === true) return { items, summary: next.value };
      const text = next.value.data.toString("latin1");
      let offset = 0;
      for (const length of next.value.lengths) {
        items.push(text.slice(offset, offset + length));
        offset += length + 1;
      }
    }
  } catch (error) {
    return { items, error: error as Error };
  }
}

/** All records from the streaming reader (throws on invalid input). */
export async function readRecords(file: string, options: HashedCsvOptions = {}): Promise<{ records: HashedRecord[]; summary: CsvReadSummary }> {
  const records: HashedRecord[] = [];
  const iterator = readHashedRecords(file, options);
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return { records, summary: next.value };
    records.push(next.value);
  }
}
