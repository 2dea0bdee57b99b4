/**
 * Worker-thread entry: receives one CSV chunk per message as UTF-8 bytes (transferred, and
 * decoded here rather than on the reading thread) and answers with one packed buffer plus the
 * lengths and rows arrays, all transferred (not copied), so crossing threads stays cheap
 * (measured before this was written: posting arrays of items instead removed the gain of a second thread).
 */
import { parentPort, workerData } from "node:worker_threads";
import { processChunk } from "./chunk-processor";
import type { RecordDelimiter } from "./csv-chunks";
import type { RecordFormat } from "./record-format";
import { createRowProcessor, type RowSettings } from "./row-processor";

export interface WorkerInit {
  readonly settings: RowSettings;
  readonly delimiter: RecordDelimiter;
  readonly format: RecordFormat;
  readonly maxIssues: number;
  readonly maxRowChars: number;
  /** See `processChunk`. */
  readonly rowDigests: boolean;
}

export interface WorkerJob {
  readonly seq: number;
  /** Whole records, UTF-8, in an ArrayBuffer of their own (transferred). */
  readonly bytes: Uint8Array;
}

if (parentPort !== null) {
  const port = parentPort;
  const init = workerData as WorkerInit;
  const processor = createRowProcessor(init.settings);
  port.on("message", (job: WorkerJob) => {
    const outcome = processChunk(job.bytes, init.delimiter, processor, init.format, init.maxIssues, init.maxRowChars, init.rowDigests);
    port.postMessage({ seq: job.seq, outcome }, [
      outcome.data.buffer as ArrayBuffer,
      outcome.lengths.buffer as ArrayBuffer,
      outcome.recordRows.buffer as ArrayBuffer,
      ...(outcome.digests !== undefined ? [outcome.digests.buffer as ArrayBuffer] : []),
    ]);
  });
}
