/**
 * One `records:` source as the program, the provider and the `hash-csv` command read it: which
 * CSV, how its rows become hashed records, and the string that names a record's content for
 * diffing (`externalId:rowDigest`). The externalId key is looked up by the caller at call time
 * and passed in; nothing here keeps it.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { parse as parseCsv } from "csv-parse/sync";
import {
  hashCsvBatches,
  hashedRecordCsvLine,
  readHashedRecords,
  PiiInputError,
  PII_FIELDS,
  ROW_DIGEST_LENGTH,
  rowDigestOfCsvLine,
  type CountryCode,
  type CsvReadSummary,
  type HashedCsvOptions,
  type HashedFields,
} from "../pii";
import { IdSetBuilder, type IdSet } from "../plan";
import { ExternalIdRepeats, externalIdRepeatIssue } from "../pii/external-id-repeats";
import { MAX_ROW_CHARS, rowTooLongIssue } from "../pii/csv-limits";
import type { ConfigLookup } from "../config/dsp-settings";
import { confinedPath } from "../util/confined-path";
import { ID_COLUMNS } from "../api-vocabulary";
import type { SpecDocument } from "../spec";

/**
 * How one CSV of people becomes hashed records. Plain values only: this is a resource input. The
 * fields and their defaults are the spec's `records.<key>` ({@link SpecDocument.RecordsSource}, generated from
 * the schema), except that `csv` is already resolved (relative to the Pulumi program's folder, or
 * absolute) and `defaultCountry` takes any string, since `hash-csv --default-country` passes what
 * it was given: the PII pipeline refuses an unknown country with one clean error.
 */
export type RecordsSourceSettings = Omit<SpecDocument.RecordsSource, "defaultCountry"> & {
  defaultCountry?: string;
  /**
   * Folders the CSV must resolve inside, after symbolic links, relative to the Pulumi program's
   * folder (or absolute); checked each time the CSV is opened, in the program and in the provider.
   * @default anywhere
   */
  allowedRoots?: string[];
};

/** A hashed record with its content digest. No raw PII. */
export interface KeyedRecord {
  externalId: string;
  hashed: HashedFields;
  rowDigest: string;
}

/** One hashed-CSV line with what identifies it; the fields are parsed only when needed. */
export interface RecordLine {
  externalId: string;
  rowDigest: string;
  /** `external_id,email_sha256,…,zip_sha256`, absent fields empty. */
  line: string;
}

/** Hashed-CSV lines (`external_id,email_sha256,…`) of consecutive records, joined by "\n". */
export interface HashedLines {
  text: string;
  /** Length of each line in `text`. */
  lengths: ArrayLike<number>;
  /** The CSV row (header = row 1) of each line. */
  rows: ArrayLike<number>;
  records: number;
  /** `text` as bytes, when the reader has them already (spares a copy). */
  bytes?: Buffer;
  /** Each line's row digest (ROW_DIGEST_LENGTH characters each, in order), when the reader made them. */
  digests?: string;
}

/** Options of the readers. */
export interface ReadRecordsOptions {
  /** HMAC key for derived externalIds (the value of the config key the settings name). @default none */
  externalIdKey?: string;
  /** Folder relative CSV paths start from. @default process.cwd() (the program folder) */
  cwd?: string;
  /** Worker threads (see hashCsvBatches). @default "auto" */
  workers?: number | "auto";
}

/** What names a record's content: its externalId and the digest of its field hashes. */
export function recordKey(externalId: string, digest: string): string {
  return `${externalId}:${digest}`;
}

/** The externalId of a {@link recordKey} (externalIds never contain ":"). */
export function externalIdOfKey(key: string): string {
  return key.slice(0, key.indexOf(":"));
}

/** Stack config keys without a namespace belong to the project, as in `pulumi config set`. */
export function fullConfigKey(key: string, project: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * The externalId HMAC key named by the settings, looked up now. Missing: an error naming the
 * config key, never a value.
 */
export function externalIdKeyFor(settings: RecordsSourceSettings, config: ConfigLookup): string | undefined {
  const name = settings.externalIdSecretConfig;
  if (name === undefined) return undefined;
  const value = config(name);
  if (value === undefined || value === "") {
    throw new Error(`config ${name} (externalIdSecretConfig) is not set: \`pulumi config set --secret ${name} <at least 16 random characters>\``);
  }
  return value;
}

/** The PII pipeline's options for these settings. */
export function csvOptionsFor(settings: RecordsSourceSettings, options: ReadRecordsOptions): HashedCsvOptions & { workers: number | "auto" } {
  return {
    fileName: settings.csv,
    mode: settings.hashed === true ? "hashed" : "raw",
    workers: options.workers ?? "auto",
    ...(options.externalIdKey !== undefined ? { externalIdKey: options.externalIdKey } : {}),
    ...(settings.minRows !== undefined ? { minRows: settings.minRows } : {}),
    ...(settings.maxRows !== undefined ? { maxRows: settings.maxRows } : {}),
    ...(settings.defaultCountry !== undefined ? { defaultCountry: settings.defaultCountry as CountryCode } : {}),
    ...(settings.nonAsciiLetters !== undefined ? { nonAsciiLetters: settings.nonAsciiLetters } : {}),
  };
}

/** Names the PII reader recognises as the id column. */
const STANDARD_ID_COLUMNS = ID_COLUMNS;
const LINES_PER_BATCH = 4096;

/**
 * Reads the CSV and yields its valid records as hashed-CSV lines, in file order; returns the
 * read summary. A standard or absent id column takes the fast chunked path (workers when they
 * pay); another `idColumn` is renamed to `external_id` on the fly and read by the streaming
 * reader, since the PII reader knows only the standard names.
 * @throws PiiInputError (file, row, column; never values), FileOutsideRootsError when the CSV resolves
 *   outside `allowedRoots`, or Error for a missing idColumn
 */
export async function* readHashedLines(settings: RecordsSourceSettings, options: ReadRecordsOptions = {}): AsyncGenerator<HashedLines, CsvReadSummary, undefined> {
  const repeats = new ExternalIdRepeats();
  const lines = readUncheckedLines(settings, options);
  try {
    for (;;) {
      const next = await lines.next();
      if (next.done === true) {
        throwOnRepeats(settings.csv, repeats);
        return next.value;
      }
      const bytes = next.value.bytes ?? Buffer.from(next.value.text, "latin1");
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let start = 0;
      for (let i = 0; i < next.value.records; i++) {
        const end = start + (next.value.lengths[i] ?? 0);
        repeats.addLine(view, start, end, next.value.rows[i] ?? 0);
        start = end + 1;
      }
      yield next.value;
    }
  } finally {
    await close(lines);
  }
}

/** How many repeats a {@link PiiInputError} lists. */
const MAX_LISTED_REPEATS = 100;

/**
 * Amazon keeps one record per externalId (a later upload overwrites it), so two rows with one
 * externalId and different PII are an error naming both rows; exact repeats are fine.
 */
function throwOnRepeats(file: string, repeats: ExternalIdRepeats): void {
  const found = repeats.repeats();
  if (found.length === 0) return;
  throw new PiiInputError(file, found.slice(0, MAX_LISTED_REPEATS).map(externalIdRepeatIssue), found.length > MAX_LISTED_REPEATS);
}

async function* readUncheckedLines(settings: RecordsSourceSettings, options: ReadRecordsOptions): AsyncGenerator<HashedLines, CsvReadSummary, undefined> {
  // The spec loader checked this too; checking again where the file is opened keeps a link
  // changed since, or inputs edited in state, from reading a file outside the allowed folders.
  const file = await confinedPath(settings.csv, settings.allowedRoots, options.cwd ?? process.cwd());
  const csvOptions = csvOptionsFor(settings, options);
  const rename = settings.idColumn === undefined ? undefined : await idColumnRename(file, settings.csv, settings.idColumn);
  if (rename === undefined) {
    // Row digests are made with the records: with workers, on their threads.
    const batches = hashCsvBatches(file, { ...csvOptions, format: "csv", rowDigests: true });
    try {
      for (;;) {
        const next = await batches.next();
        if (next.done === true) return next.value;
        const { data, lengths, rows, records, digests } = next.value;
        yield { text: data.toString("latin1"), lengths, rows, records, bytes: data, ...(digests === undefined ? {} : { digests: digests.toString("latin1") }) };
      }
    } finally {
      await close(batches); // the file and the worker threads, when stopped early
    }
  }
  const input = fs.createReadStream(file);
  const records = readHashedRecords(input.pipe(renameHeaderCell(rename)), csvOptions);
  try {
    let lines: string[] = [];
    let rows: number[] = [];
    for (;;) {
      const next = await records.next();
      if (next.done !== true) {
        lines.push(hashedRecordCsvLine(next.value));
        rows.push(next.value.row);
      }
      if (lines.length >= LINES_PER_BATCH || (next.done === true && lines.length > 0)) {
        yield { text: lines.join("\n"), lengths: lines.map((line) => line.length), rows, records: lines.length };
        lines = [];
        rows = [];
      }
      if (next.done === true) return next.value;
    }
  } finally {
    await close(records);
    input.destroy();
  }
}

/** Reads the CSV and yields its valid records as lines with their keys, a batch at a time, in file order. */
export async function* readRecordLines(settings: RecordsSourceSettings, options: ReadRecordsOptions = {}): AsyncGenerator<RecordLine[], CsvReadSummary, undefined> {
  const lines = readHashedLines(settings, options);
  try {
    for (;;) {
      const next = await lines.next();
      if (next.done === true) return next.value;
      yield splitHashedLines(next.value);
    }
  } finally {
    await close(lines);
  }
}

/** A CSV's records as sets: what the upload diffs and what memberships take. */
export interface RecordSets {
  /** `externalId:rowDigest` per record. */
  keys: IdSet;
  /** The externalIds. */
  externalIds: IdSet;
  summary: CsvReadSummary;
}

/**
 * Reads the CSV once into both sets.
 * @throws PiiInputError for bad rows, or Error when one externalId carries two different records
 */
export async function readRecordSets(settings: RecordsSourceSettings, label: string, options: ReadRecordsOptions = {}): Promise<RecordSets> {
  // Pre-size from the file: a raw row is ~3× its key, ~5× its externalId.
  const bytes = fs.statSync(path.resolve(options.cwd ?? process.cwd(), settings.csv)).size;
  const keys = new IdSetBuilder({ expectedBytes: bytes / 3 });
  const externalIds = new IdSetBuilder({ expectedBytes: bytes / 5 });
  const rows = readRecordLines(settings, options);
  let summary: CsvReadSummary | undefined;
  for (;;) {
    const next = await rows.next();
    if (next.done === true) {
      summary = next.value;
      break;
    }
    for (const record of next.value) {
      keys.add(recordKey(record.externalId, record.rowDigest));
      externalIds.add(record.externalId);
    }
  }
  const sets = { keys: keys.build(), externalIds: externalIds.build(), summary };
  const conflict = conflictingRecords(sets.keys.size, sets.externalIds.size);
  if (conflict !== undefined) throw new Error(`records ${label}: ${conflict}`);
  return sets;
}

/**
 * Amazon keeps one record per externalId (a later upload overwrites it), so two rows with one
 * externalId and different PII would upload in an order-dependent way. Exact repeats are fine.
 */
export function conflictingRecords(distinctRecords: number, distinctExternalIds: number): string | undefined {
  const extra = distinctRecords - distinctExternalIds;
  if (extra <= 0) return undefined;
  return (
    `${extra.toLocaleString("en-US")} row${extra === 1 ? "" : "s"} repeat an externalId of an earlier row with different PII ` +
    "(same id, or same email when ids are derived); Amazon keeps one record per externalId, so merge or drop the repeats " +
    "(`dsp-audiences hash-csv` writes the externalIds: look for repeats in its first column)"
  );
}

/** Ends a generator early, running its `finally` blocks; a no-op once it is done. */
async function close(generator: AsyncGenerator<unknown, unknown, undefined>): Promise<void> {
  await generator.return(undefined);
}

/**
 * Splits a batch into lines with their externalId and row digest: the batch's own digests when
 * the reader made them, else computed from each line (`rowDigestOfCsvLine`). Pure.
 */
export function splitHashedLines(batch: HashedLines): RecordLine[] {
  const out: RecordLine[] = new Array<RecordLine>(batch.records);
  const { digests } = batch;
  let start = 0;
  for (let i = 0; i < batch.records; i++) {
    const length = batch.lengths[i] ?? 0;
    const line = batch.text.slice(start, start + length);
    start += length + 1;
    const rowDigest = digests === undefined ? rowDigestOfCsvLine(line) : digests.slice(i * ROW_DIGEST_LENGTH, (i + 1) * ROW_DIGEST_LENGTH);
    out[i] = { externalId: line.slice(0, line.indexOf(",")), rowDigest, line };
  }
  return out;
}

/** The record of a line, fields parsed (for the records that are uploaded). Pure. */
export function keyedRecordOf(record: RecordLine): KeyedRecord {
  const cells = record.line.split(",");
  const hashed: HashedFields = {};
  PII_FIELDS.forEach((field, f) => {
    const hash = cells[f + 1];
    if (hash !== undefined && hash !== "") hashed[field] = hash;
  });
  return { externalId: record.externalId, hashed, rowDigest: record.rowDigest };
}

/**
 * Checks the header for `idColumn`. Returns the header cell index to rename to `external_id`, or
 * undefined when the column already has a standard name.
 */
async function idColumnRename(file: string, shownName: string, idColumn: string): Promise<number | undefined> {
  const header = (await readHeaderCells(file, shownName)).map((cell) => cell.trim().toLowerCase());
  const wanted = idColumn.trim().toLowerCase();
  const index = header.indexOf(wanted);
  if (index < 0) throw new Error(`${shownName}: row 1: no column named ${idColumn} (idColumn)`);
  if (STANDARD_ID_COLUMNS.includes(wanted)) return undefined;
  const other = header.find((cell) => STANDARD_ID_COLUMNS.includes(cell));
  if (other !== undefined) throw new Error(`${shownName}: row 1: has both ${idColumn} (idColumn) and ${other}; keep one id column`);
  return index;
}

/**
 * The cells of the first line, read in 64 KiB steps until its line break (a header is short, but
 * a long one is read whole, never cut). @throws PiiInputError when it is over the row limit
 */
async function readHeaderCells(file: string, shownName: string): Promise<string[]> {
  const handle = await fs.promises.open(file, "r");
  try {
    const step = 64 * 1024;
    let bytes = Buffer.alloc(0);
    for (;;) {
      const buffer = Buffer.alloc(step);
      const { bytesRead } = await handle.read(buffer, 0, step, bytes.length);
      bytes = Buffer.concat([bytes, buffer.subarray(0, bytesRead)]);
      if (bytesRead < step || bytes.indexOf(10) >= 0 || bytes.indexOf(13) >= 0 || bytes.length > MAX_ROW_CHARS) break;
    }
    const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
    const end = text.search(/\r\n|\n|\r/);
    if (end < 0 && bytes.length > MAX_ROW_CHARS) throw new PiiInputError(shownName, [rowTooLongIssue(1, undefined, MAX_ROW_CHARS)], false);
    const rows = parseCsv(end < 0 ? text : text.slice(0, end), { relax_column_count: true }) as string[][];
    return rows[0] ?? [];
  } finally {
    await handle.close();
  }
}

/** Replaces cell `index` of the first line with `external_id`; everything after passes through. */
function renameHeaderCell(index: number): Transform {
  let head = "";
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      if (done) return callback(null, chunk);
      head += chunk.toString("latin1"); // bytes kept as they are; only the header is rewritten
      const end = head.search(/\r\n|\n|\r/);
      if (end < 0) return callback();
      done = true;
      callback(null, Buffer.concat([Buffer.from(renamedHeader(head.slice(0, end), index), "latin1"), Buffer.from(head.slice(end), "latin1")]));
    },
    flush(callback: TransformCallback) {
      callback(null, done ? undefined : Buffer.from(renamedHeader(head, index), "latin1"));
    },
  });
}

function renamedHeader(line: string, index: number): string {
  const bom = line.startsWith("\u00ef\u00bb\u00bf") ? "\u00ef\u00bb\u00bf" : ""; // UTF-8 BOM read as latin1
  const cells = (parseCsv(line.slice(bom.length), { relax_column_count: true }) as string[][])[0] ?? [];
  cells[index] = "external_id";
  return bom + cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(",");
}
