import { isAscii } from "node:buffer";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { Fingerprinter } from "./fingerprint";
import type { IdSet } from "./id-set";
import { IdSetBuilder } from "./id-set-builder";
import { SpillingSetBuilder, type BuiltSet, type IdSink } from "./spilling-set-builder";
import { forEachLine, LineTooLongError } from "./line-scanner";
import { firstInvalidUtf8 } from "../util/utf8";
import { READ_CHUNK_BYTES, readBufferBytes } from "../util/read-buffer";

/**
 * Checks one ID (already trimmed). Returns why it is invalid, or undefined
 * when it is valid. The reason ends up in error messages, so it must not
 * quote the ID: IDs are personal data.
 */
export type IdValidator = (id: string) => string | undefined;

/**
 * A fast check on an ID's bytes: true means valid (so `validate` is not asked); false means "ask
 * `validate`". It must never accept an ID `validate` rejects.
 */
export type IdBytesCheck = (bytes: Uint8Array, start: number, end: number) => boolean;

/** One rejected line of an ID file. */
export interface IdLineProblem {
  readonly file: string;
  readonly line: number;
  /** 1-based column (in characters) where the problem starts, when it is one place in the line. */
  readonly column?: number;
  readonly reason: string;
}

/** Thrown by {@link readIdFiles} when lines fail validation; names files and lines, never IDs. */
export class IdFileError extends Error {
  override name = "IdFileError";
  constructor(
    /** The first problems found, at most `maxReportedProblems` of them. */
    readonly problems: readonly IdLineProblem[],
    /** How many problems there were in all. */
    readonly totalProblems: number,
  ) {
    const listed = problems.map((problem) => `  ${problem.file}:${problem.line}${problem.column === undefined ? "" : `:${problem.column}`}: ${problem.reason}`);
    const more = totalProblems - problems.length;
    if (more > 0) listed.push(`  … and ${more} more`);
    super(`${totalProblems} invalid ID line${totalProblems === 1 ? "" : "s"}:\n${listed.join("\n")}`);
  }
}

/** Options for {@link readIdFiles}. */
export interface ReadIdFilesOptions {
  /** Rejects IDs; each failure is reported with its file and line. @default accept every ID */
  readonly validate?: IdValidator;
  /** Accepts the common valid IDs from their bytes, before `validate` builds a string. @default none */
  readonly acceptsBytes?: IdBytesCheck;
  /** How many problems the error lists before "… and N more". @default 20 */
  readonly maxReportedProblems?: number;
  /** @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
  /**
   * Maps each valid ID to its canonical form before it joins the set (e.g. MAIDs to lower case),
   * so IDs that differ only in case are one member. @default IDs as written
   */
  readonly canonicalise?: (id: string) => string;
  /** Longest line accepted, in bytes. @default {@link MAX_ID_LINE_BYTES} (64 KiB) */
  readonly maxLineBytes?: number;
}

/** Reads one ID file; see {@link readIdFiles}. */
export async function readIdFile(path: string, options: ReadIdFilesOptions = {}): Promise<IdSet> {
  return readIdFiles([path], options);
}

/**
 * Streams files of one ID per line into one {@link IdSet}.
 *
 * Each line is trimmed (like `String.prototype.trim`); blank lines and lines
 * starting with `#` are skipped; CRLF and a UTF-8 byte order mark are fine.
 * Repeated IDs are dropped and counted in `duplicatesRemoved`. Lines that
 * are not valid UTF-8 or fail `validate` make the whole read fail with an
 * {@link IdFileError} listing them (all files are read first, so one run
 * reports every problem up to the cap).
 */
export async function readIdFiles(paths: readonly string[], options: ReadIdFilesOptions = {}): Promise<IdSet> {
  const sizes = await sizesOf(paths);
  const builder = new IdSetBuilder({ expectedBytes: expectedBytesOf(sizes), ...fingerprinterOf(options) });
  await readIdFilesInto(paths, sizes, builder, options);
  return builder.build();
}

/**
 * {@link readIdFiles} within a memory budget: a set larger than `memoryBytes` is sorted in runs on
 * disk (in `directory`) and comes back as a {@link SpilledSet}; one that fits, as an {@link IdSet}.
 */
export async function readIdFilesBounded(paths: readonly string[], options: ReadIdFilesOptions & { readonly memoryBytes: number; readonly directory?: string }): Promise<BuiltSet> {
  const sizes = await sizesOf(paths);
  const builder = new SpillingSetBuilder({
    memoryBytes: options.memoryBytes,
    expectedBytes: expectedBytesOf(sizes),
    ...fingerprinterOf(options),
    ...(options.directory === undefined ? {} : { directory: options.directory }),
  });
  await readIdFilesInto(paths, sizes, builder, options);
  return builder.build();
}

function sizesOf(paths: readonly string[]): Promise<number[]> {
  return Promise.all(paths.map(async (path) => (await stat(path)).size));
}

function expectedBytesOf(sizes: readonly number[]): number {
  // Every line may lack its "\n" only at the very end of a file.
  return sizes.reduce((sum, size) => sum + size, 0) + sizes.length;
}

function fingerprinterOf(options: ReadIdFilesOptions): { fingerprinter?: Fingerprinter } {
  return options.fingerprinter === undefined ? {} : { fingerprinter: options.fingerprinter };
}

/** Reads the files' IDs into `builder`; throws {@link IdFileError} listing every bad line. */
async function readIdFilesInto(paths: readonly string[], sizes: readonly number[], builder: IdSink, options: ReadIdFilesOptions): Promise<void> {
  const problems = new ProblemLog(options.maxReportedProblems ?? 20);
  for (const [index, path] of paths.entries()) {
    const acceptLine = lineAcceptor(builder, options.validate, options.acceptsBytes, options.canonicalise, (line, reason, column) =>
      problems.add({ file: path, line, ...(column === undefined ? {} : { column }), reason }),
    );
    const lineOptions = options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes };
    try {
      await forEachLine(createReadStream(path, { highWaterMark: readBufferBytes(sizes[index] ?? READ_CHUNK_BYTES) }), acceptLine, lineOptions);
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      problems.add({ file: path, line: error.lineNumber, reason: error.message.replace(/^line \d+ is/, "line is") });
    }
  }
  problems.throwIfAny();
}

const HASH = 0x23;

/** ASCII whitespace, exactly what `String.prototype.trim` removes below U+0080. */
function isAsciiSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

/**
 * Returns the per-line handler: trim, skip, validate, add. Pure-ASCII lines
 * (the norm) stay as bytes; only lines with other bytes are decoded, so
 * their trimming and validation follow the string rules exactly.
 */
function lineAcceptor(
  builder: IdSink,
  validate: IdValidator | undefined,
  acceptsBytes: IdBytesCheck | undefined,
  canonicalise: ((id: string) => string) | undefined,
  reject: (line: number, reason: string, column?: number) => void,
): (chunk: Buffer, start: number, end: number, lineNumber: number) => void {
  const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  // One native check per chunk spares a byte loop per line in the usual all-ASCII file.
  let checkedChunk: Buffer | undefined;
  let chunkIsAscii = false;
  return (chunk, start, end, lineNumber) => {
    let first = start;
    let last = end;
    while (first < last && isAsciiSpace(chunk[first] as number)) first++;
    while (last > first && isAsciiSpace(chunk[last - 1] as number)) last--;
    if (first === last || chunk[first] === HASH) return;
    if (chunk !== checkedChunk) {
      checkedChunk = chunk;
      chunkIsAscii = isAscii(chunk);
    }
    if (chunkIsAscii || isAscii(chunk.subarray(first, last))) {
      if (validate === undefined && canonicalise === undefined) return builder.addBytes(chunk, first, last);
      if (canonicalise === undefined && acceptsBytes?.(chunk, first, last) === true) return builder.addBytes(chunk, first, last);
      const ascii = chunk.toString("latin1", first, last);
      const reason = validate?.(ascii);
      if (reason !== undefined) return reject(lineNumber, reason);
      if (canonicalise === undefined) return builder.addBytes(chunk, first, last);
      builder.add(canonicalise(ascii));
      return;
    }
    let id: string;
    try {
      id = strictUtf8.decode(chunk.subarray(start, end)).trim();
    } catch {
      // Rare, so the exact place is found only now: the column of the first bad byte.
      const bad = firstInvalidUtf8(chunk, start, end);
      const column = chunk.toString("utf8", start, bad < 0 ? end : bad).length + 1;
      return reject(lineNumber, "not valid UTF-8; save the file as UTF-8", column);
    }
    if (id.length === 0 || id.startsWith("#")) return;
    const reason = validate?.(id);
    if (reason !== undefined) return reject(lineNumber, reason);
    builder.add(canonicalise === undefined ? id : canonicalise(id));
  };
}

/** Keeps the first few problems and counts the rest. */
class ProblemLog {
  private readonly kept: IdLineProblem[] = [];
  private total = 0;
  constructor(private readonly limit: number) {}

  add(problem: IdLineProblem): void {
    this.total++;
    if (this.kept.length < this.limit) this.kept.push(problem);
  }

  throwIfAny(): void {
    if (this.total > 0) throw new IdFileError(this.kept, this.total);
  }
}
