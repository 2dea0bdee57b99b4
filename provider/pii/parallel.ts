/**
 * Reads a PII CSV in chunks of whole records and processes them on worker threads (or inline
 * on the calling thread with `workers: 0`), yielding one packed batch per chunk in file order.
 *
 * The main thread only reads bytes, finds record boundaries (quote-aware) and merges results; it
 * transfers one buffer of UTF-8 per chunk and gets one packed buffer per chunk back. Row numbers, problems
 * and output are identical to the streaming csv-parse reader (csv-records.ts).
 */
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import { processChunk, type ChunkOutcome } from "./chunk-processor";
import { detectRecordDelimiter, parseChunk, recordBoundary, type RecordDelimiter } from "./csv-chunks";
import { columnNameAt, rowTooLongIssue } from "./csv-limits";
import { CsvByteReader } from "./csv-byte-reader";
import { chooseMode, isBlankRow, parseHeader, type ColumnLayout, type HeaderLayout } from "./csv-header";
import { resolveCsvOptions, rowSettingsFor, type HashedCsvOptions, type ResolvedCsvOptions } from "./csv-options";
import { InputTally, type CsvReadSummary } from "./input-tally";
import type { RecordFormat } from "./record-format";
import { createRowProcessor, type RowSettings } from "./row-processor";
import type { WorkerInit, WorkerJob } from "./hash-worker";
import { workerBootstrap } from "./worker-loader";

export interface BatchOptions extends HashedCsvOptions {
  /**
   * Worker threads. 0 processes chunks on the calling thread. "auto" picks with
   * {@link autoWorkerCount}: workers only for files of at least {@link AUTO_WORKERS_MIN_BYTES} on
   * a machine with idle cores, the calling thread otherwise.
   * @default "auto"
   */
  readonly workers?: number | "auto";
  /**
   * Bytes of CSV text (UTF-8; characters for ASCII) per chunk, rounded to whole records. Workers
   * get bigger chunks: fewer hand-overs per row (bench/hashing.ts).
   * @default 4_194_304 with workers ("auto" included), 1_048_576 with `workers: 0`
   */
  readonly chunkChars?: number;
  /** Serialisation of each record in the batches: API JSON items or hashed-CSV lines. @default "json" */
  readonly format?: RecordFormat;
  /**
   * With format "csv": each batch also carries its records' row digests (`digests`), made on the
   * threads that hash the records. @default false
   */
  readonly rowDigests?: boolean;
}

/** One chunk's valid records, serialised (ASCII) and joined by "," (json) or "\n" (csv). */
export interface HashedBatch {
  readonly format: RecordFormat;
  readonly data: Buffer;
  /** Length of each serialised record in `data`, in order. */
  readonly lengths: Uint32Array;
  /** The file row (header = row 1) of each record, in order. */
  readonly rows: Uint32Array;
  readonly records: number;
  /** With `rowDigests`: each record's row digest (ROW_DIGEST_LENGTH ASCII characters), in order. */
  readonly digests?: Buffer;
}

const INLINE_CHUNK_CHARS = 1024 * 1024;
/** 1M-row runs on 2 cores: ~1.5× the rows/s of 1 MiB chunks (fewer structured clones and merges). */
const WORKER_CHUNK_CHARS = 4 * 1024 * 1024;

/** Below this size (~350k rows) worker start-up and hand-over cost more than a second core saves. */
export const AUTO_WORKERS_MIN_BYTES = 32 * 1024 * 1024;
const MAX_AUTO_WORKERS = 8;

/**
 * Workers for "auto": one per idle core, or 0 (the calling thread). Measured with
 * bench/hashing.ts (docs/normalisation.md): workers only pay when cores are free. On a 2-core
 * host with other load they were slower than one thread, since the per-row work is the same
 * and the hand-over adds ~15 %. So the 1-minute load average must leave at least one core idle.
 */
export function autoWorkerCount(bytes: number, cores: number = os.availableParallelism(), loadAverage: number = os.loadavg()[0] ?? 0): number {
  if (bytes < AUTO_WORKERS_MIN_BYTES || cores < 2) return 0;
  const idle = Math.floor(cores - loadAverage);
  return idle >= 1 ? Math.min(MAX_AUTO_WORKERS, cores) : 0;
}

/**
 * Yields the valid records of `path` as packed batches, in file order, and returns the summary.
 * @throws PiiInputError with every problem found (see readHashedRecords).
 */
export async function* hashCsvBatches(path: string, options: BatchOptions = {}): AsyncGenerator<HashedBatch, CsvReadSummary, undefined> {
  const o = resolveCsvOptions(options, path);
  const format = options.format ?? "json";
  const rowDigests = options.rowDigests ?? false;
  if (rowDigests && format !== "csv") throw new RangeError('rowDigests needs format "csv"');
  const requestedWorkers = options.workers ?? "auto";
  if (requestedWorkers !== "auto" && (!Number.isInteger(requestedWorkers) || requestedWorkers < 0)) {
    throw new RangeError('workers must be "auto" or an integer ≥ 0');
  }
  const chunkChars = options.chunkChars ?? (requestedWorkers === 0 ? INLINE_CHUNK_CHARS : WORKER_CHUNK_CHARS);
  if (!Number.isInteger(chunkChars) || chunkChars < 1) throw new RangeError("chunkChars must be a positive integer");
  const tally = new InputTally(o.fileName, o);
  const reader = new CsvByteReader(path, chunkChars, o.maxRowChars);
  let pool: Pipeline | undefined;
  try {
    const start = await readStart(reader, o, tally);
    tally.throwIfStopped();
    if (start === undefined) return tally.finish();
    tally.mode = start.layout.mode;
    const settings = rowSettingsFor(o, start.layout);
    const workers = requestedWorkers === "auto" ? autoWorkerCount(await reader.size()) : requestedWorkers;
    pool =
      workers === 0
        ? new InlinePipeline(settings, start.delimiter, format, o.maxErrors, o.maxRowChars, rowDigests)
        : new WorkerPipeline(workers, { settings, delimiter: start.delimiter, format, maxIssues: o.maxErrors, maxRowChars: o.maxRowChars, rowDigests });

    let rowsBefore = 1; // the header
    const merge = (outcome: ChunkOutcome): HashedBatch | undefined => {
      tally.addCounts(outcome);
      const rows = outcome.recordRows;
      for (let i = 0; i < rows.length; i++) rows[i] = (rows[i] as number) + rowsBefore;
      for (const issue of outcome.issues) tally.addIssue({ ...issue, ...(issue.row !== undefined ? { row: issue.row + rowsBefore } : {}) });
      if (outcome.fatal !== undefined) tally.addFatal({ ...outcome.fatal, row: (outcome.fatal.row ?? 0) + rowsBefore });
      rowsBefore += outcome.rows;
      tally.throwIfStopped();
      if (outcome.records === 0) return undefined;
      // The worker transferred the buffer; it arrives as a plain Uint8Array view.
      const data = Buffer.from(outcome.data.buffer, outcome.data.byteOffset, outcome.byteLength);
      const digests = outcome.digests === undefined ? {} : { digests: Buffer.from(outcome.digests.buffer, outcome.digests.byteOffset, outcome.digests.byteLength) };
      return { format, data, lengths: outcome.lengths, rows, records: outcome.records, ...digests };
    };

    for (;;) {
      const chunk = await reader.nextChunk(start.delimiter);
      if (chunk === undefined) break;
      if (!(chunk instanceof Uint8Array)) {
        // The record after every chunk handed out so far is over the limit: report it after them.
        while (pool.pending() > 0) {
          const batch = merge(await pool.next());
          if (batch !== undefined) yield batch;
        }
        tally.addFatal(rowTooLongIssue(rowsBefore + 1, columnNameAt(start.layout, chunk.overLongColumn), o.maxRowChars));
        tally.throwIfStopped(); // always throws: the tally has stopped
        break;
      }
      pool.submit(chunk);
      while (pool.pending() > pool.capacity()) {
        const batch = merge(await pool.next());
        if (batch !== undefined) yield batch;
      }
    }
    while (pool.pending() > 0) {
      const batch = merge(await pool.next());
      if (batch !== undefined) yield batch;
    }
    return tally.finish();
  } finally {
    reader.close();
    await pool?.close();
  }
}

/** Reads the header and, in "auto" mode, peeks at the first data row to pick raw or hashed. */
async function readStart(
  reader: CsvByteReader,
  o: ResolvedCsvOptions,
  tally: InputTally,
): Promise<{ delimiter: RecordDelimiter; layout: ColumnLayout } | undefined> {
  // The carry starts at a record start until the header is taken, and at the first data row after.
  const readable = (): boolean => !reader.atEnd && reader.overLongColumn() < 0;
  const overLong = (row: number, layout: HeaderLayout | undefined): undefined => {
    tally.addFatal(rowTooLongIssue(row, columnNameAt(layout, reader.overLongColumn()), o.maxRowChars));
    return undefined;
  };
  let delimiter: RecordDelimiter | undefined;
  while ((delimiter = detectRecordDelimiter(reader.text, reader.atEnd)) === undefined && readable()) await reader.readMore();
  if (delimiter === undefined && !reader.atEnd) return overLong(1, undefined);
  delimiter ??= "\n";
  let headerEnd: number;
  while ((headerEnd = recordBoundary(reader.text, delimiter, false)) < 0 && readable()) await reader.readMore();
  if (headerEnd < 0 && !reader.atEnd) return overLong(1, undefined);
  if (headerEnd < 0) headerEnd = reader.text.length;
  if (headerEnd === 0 && reader.text.length === 0) {
    tally.addFatal({ code: "empty-file", reason: "file is empty (expected a header row)" });
    return undefined;
  }
  const headerText = reader.text.slice(0, headerEnd);
  reader.dropText(headerEnd);
  const { rows, error } = parseChunk(headerText, delimiter);
  if (error !== undefined || rows[0] === undefined) {
    tally.addFatal({ row: 1, code: "csv-syntax", reason: "CSV syntax: the header row cannot be parsed" });
    return undefined;
  }
  const header = parseHeader(rows[0], o.externalId.externalIdKey !== undefined);
  if (Array.isArray(header)) {
    tally.addFatal(...header);
    return undefined;
  }

  let firstDataRow: string[] | undefined;
  if (o.mode === "auto" && !header.hashedNames) {
    let scanned = 0;
    for (;;) {
      const end = reader.atEnd ? reader.text.length : recordBoundary(reader.text, delimiter, true);
      if (end > scanned) {
        firstDataRow = parseChunk(reader.text.slice(scanned, end), delimiter).rows.find((cells) => !isBlankRow(cells));
        scanned = end;
      }
      if (firstDataRow !== undefined || reader.atEnd) break;
      // Blank lines before the first data row are rows too.
      if (recordBoundary(reader.text.slice(scanned), delimiter, false) < 0 && reader.overLongColumn() >= 0) break;
      await reader.readMore();
    }
  }
  const mode = chooseMode(header, o.mode, firstDataRow);
  if (typeof mode !== "string") {
    tally.addFatal(mode);
    return undefined;
  }
  return { delimiter, layout: { ...header, mode } };
}

/** Ordered processing of chunks: submit in file order, receive outcomes in the same order. */
interface Pipeline {
  /** `chunk`: whole records, UTF-8; the pipeline takes it over (it may be transferred). */
  submit(chunk: Uint8Array): void;
  next(): Promise<ChunkOutcome>;
  pending(): number;
  /** Outstanding chunks allowed before the reader waits (bounds memory). */
  capacity(): number;
  close(): Promise<void>;
}

class InlinePipeline implements Pipeline {
  private readonly processor;
  private readonly queue: ChunkOutcome[] = [];

  constructor(
    settings: RowSettings,
    private readonly delimiter: RecordDelimiter,
    private readonly format: RecordFormat,
    private readonly maxIssues: number,
    private readonly maxRowChars: number,
    private readonly rowDigests: boolean,
  ) {
    this.processor = createRowProcessor(settings);
  }

  submit(chunk: Uint8Array): void {
    this.queue.push(processChunk(chunk, this.delimiter, this.processor, this.format, this.maxIssues, this.maxRowChars, this.rowDigests));
  }
  next(): Promise<ChunkOutcome> {
    const outcome = this.queue.shift();
    return outcome === undefined ? Promise.reject(new Error("no chunk pending")) : Promise.resolve(outcome);
  }
  pending(): number {
    return this.queue.length;
  }
  capacity(): number {
    return 0;
  }
  async close(): Promise<void> {}
}

interface Waiter {
  readonly resolve: (outcome: ChunkOutcome) => void;
  readonly reject: (error: Error) => void;
}

class WorkerPipeline implements Pipeline {
  private readonly workers: Worker[] = [];
  /** Per worker, the waiters of its chunks in submission order (a worker answers in order). */
  private readonly waiting: Waiter[][] = [];
  /** Outcome promises in file order. */
  private readonly order: Promise<ChunkOutcome>[] = [];
  private seq = 0;
  private failure: Error | undefined;
  private closing = false;

  constructor(count: number, init: WorkerInit) {
    const bootstrap = workerBootstrap(path.join(__dirname, `hash-worker${path.extname(__filename)}`));
    const workerData = { ...init, compiledSources: bootstrap.compiledSources };
    for (let i = 0; i < count; i++) {
      const worker = new Worker(bootstrap.code, { eval: true, workerData, execArgv: bootstrap.execArgv });
      const waiting: Waiter[] = [];
      worker.on("message", (message: { outcome: ChunkOutcome }) => waiting.shift()?.resolve(message.outcome));
      worker.on("error", (error: Error) => this.fail(error));
      worker.on("exit", (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`PII hashing worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.waiting.push(waiting);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.waiting) for (const waiter of waiting.splice(0)) waiter.reject(error);
  }

  submit(chunk: Uint8Array): void {
    let target = 0;
    for (let i = 1; i < this.workers.length; i++) if ((this.waiting[i]?.length ?? 0) < (this.waiting[target]?.length ?? 0)) target = i;
    const promise = new Promise<ChunkOutcome>((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      this.waiting[target]?.push({ resolve, reject });
      const job: WorkerJob = { seq: this.seq++, bytes: chunk };
      this.workers[target]?.postMessage(job, [chunk.buffer as ArrayBuffer]);
    });
    promise.catch(() => undefined); // awaited in order later; avoid an unhandled-rejection crash meanwhile
    this.order.push(promise);
  }
  next(): Promise<ChunkOutcome> {
    return this.order.shift() ?? Promise.reject(new Error("no chunk pending"));
  }
  pending(): number {
    return this.order.length;
  }
  capacity(): number {
    return this.workers.length * 2;
  }
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
