import { createHash } from "node:crypto";
import { pipeline, Readable } from "node:stream";
import { constants, createGunzip, createGzip, createZstdCompress, createZstdDecompress } from "node:zlib";
import {
  defaultFingerprinter,
  idSetFromCanonicalBytes,
  MAX_SET_BYTES,
  NotCanonicalError,
  setDigest,
  SpilledSet,
  SpilledSetWriter,
  type Fingerprinter,
  type IdSet,
} from "../plan";
import { digestPrefix } from "../plan/set-digest";
import { nodeErrorCode, SnapshotCorruptError, SnapshotUnsupportedError } from "./snapshot-errors";

/**
 * Snapshot format, version 1: zstd (or, as written before issue 14, gzip) of
 *
 *     dsp-idset 1 count=<n> bytes=<b> fingerprint=<name> sha256=<digest>\n
 *     <id>\n  … n times, in the set's canonical order
 *
 * `bytes` is the length of the ID lines, so the decoder allocates once;
 * `sha256` is {@link setDigest}. The ID lines are exactly `IdSet.bytes`, so
 * encoding streams the set's own buffer and decoding inflates straight into
 * the new set's buffer: no 100+ MB string is ever built, no ID is copied
 * one by one, and canonical order is checked instead of re-sorted.
 */
const FORMAT_NAME = "dsp-idset";
const FORMAT_VERSION = 1;
const VERSION_PATTERN = /^dsp-idset (\d+) /;
const HEADER_PATTERN = /^dsp-idset 1 count=(\d+) bytes=(\d+) fingerprint=(\S+) sha256=([0-9a-f]{64})$/;
/** Size of the pieces handed to the compressor: large enough to be cheap, small enough for back-pressure. */
const PIECE_BYTES = 1 << 20;
/** zlib's output chunk size: the 16 KiB default means ~7,000 chunks (and callbacks) per 5M IDs. */
const ZLIB_CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;
/** A header is ~150 bytes; more without a line break is not a snapshot. */
const MAX_HEADER_BYTES = 4096;

/** How a whole snapshot is compressed. Readers tell the two apart by their first bytes. */
export type SnapshotCodec = "zstd" | "gzip";

/** Options for {@link snapshotStream} and {@link encodeSnapshot}. */
export interface SnapshotEncodeOptions {
  /**
   * zstd (since issue 14) or gzip (every snapshot written before). Random IDs barely compress
   * (1.4–1.9×) and both reach the same size, but zstd level 1 takes ~0.03 s of CPU per 1M cookie
   * IDs where gzip takes 0.4–0.5 s: at 100M IDs, 3 s against 45 s.
   * @default "zstd"
   */
  readonly codec?: SnapshotCodec;
  /** The codec's level: zstd 1–19, gzip 1–9. @default 1 for zstd, 6 for gzip */
  readonly level?: number;
}

/** The file name ending of a whole snapshot in each codec. */
export const SNAPSHOT_SUFFIXES: Readonly<Record<SnapshotCodec, string>> = { zstd: ".ids.zst", gzip: ".ids.gz" };

/** Options for {@link decodeSnapshot}. */
export interface SnapshotDecodeOptions {
  /** The digest the snapshot must hold (e.g. from Pulumi state); anything else is corrupt. */
  readonly expectedDigest?: string;
  /** Where the bytes come from, for error messages. @default "(stream)" */
  readonly location?: string;
  /** Must be the algorithm the snapshot was written with. @default defaultFingerprinter */
  readonly fingerprinter?: Fingerprinter;
}

/** The first line of a snapshot. */
function headerOf(header: SnapshotHeader): Buffer {
  const fields = [`count=${header.count}`, `bytes=${header.bytes}`, `fingerprint=${header.fingerprint}`, `sha256=${header.digest}`];
  return Buffer.from(`${FORMAT_NAME} ${FORMAT_VERSION} ${fields.join(" ")}\n`, "latin1");
}

function* snapshotPieces(set: IdSet): Generator<Buffer> {
  yield headerOf({ count: set.size, bytes: set.bytes.length, fingerprint: set.fingerprinter.name, digest: setDigest(set) });
  for (let at = 0; at < set.bytes.length; at += PIECE_BYTES) yield set.bytes.subarray(at, at + PIECE_BYTES);
}

async function* spilledPieces(set: SpilledSet): AsyncGenerator<Buffer> {
  yield headerOf({ count: set.size, bytes: set.byteLength, fingerprint: set.fingerprinter.name, digest: await set.digest() });
  yield* set.pieces();
}

/**
 * The compressed snapshot of `set` (zstd unless told otherwise), as a stream (pipe it to a file). A set kept on disk is
 * streamed from its file (after one pass for its digest, which the header holds).
 */
export function snapshotStream(set: IdSet | SpilledSet, options: SnapshotEncodeOptions = {}): Readable {
  const pieces = set instanceof SpilledSet ? spilledPieces(set) : snapshotPieces(set);
  const compressor =
    (options.codec ?? "zstd") === "zstd"
      ? createZstdCompress({ chunkSize: ZLIB_CHUNK_BYTES, params: { [constants.ZSTD_c_compressionLevel]: options.level ?? 1 } })
      : createGzip({ level: options.level ?? 6, chunkSize: ZLIB_CHUNK_BYTES });
  return pipeline(Readable.from(pieces), compressor, () => {
    // Errors reach the consumer through the returned stream.
  });
}

/** The compressed snapshot of `set` in one buffer (≈17 B per 22-char ID). */
export async function encodeSnapshot(set: IdSet, options: SnapshotEncodeOptions = {}): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of snapshotStream(set, options)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

interface SnapshotHeader {
  readonly count: number;
  readonly bytes: number;
  readonly fingerprint: string;
  readonly digest: string;
}

/** How one read of a snapshot reports: its location and expected digest in every error. */
interface SnapshotReading {
  readonly fingerprinter: Fingerprinter;
  corrupt(reason: string, cause?: unknown): SnapshotCorruptError;
  unsupported(detail: string): SnapshotUnsupportedError;
  readonly expectedDigest: string | undefined;
}

function readingOf(options: SnapshotDecodeOptions): SnapshotReading {
  const location = options.location ?? "(stream)";
  const expectedDigest = options.expectedDigest;
  return {
    fingerprinter: options.fingerprinter ?? defaultFingerprinter,
    corrupt: (reason, cause) => new SnapshotCorruptError(expectedDigest, location, reason, cause === undefined ? undefined : { cause }),
    unsupported: (detail) => new SnapshotUnsupportedError(expectedDigest, location, detail),
    expectedDigest,
  };
}

/**
 * The checks every decoder makes on the decompressed stream: the header (format, version,
 * fingerprint) goes to `begin`, then the ID bytes to `take` piece by piece, never more than the
 * header says and, at the end, exactly that many. Damaged compression is corruption.
 */
async function scanSnapshot(
  source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  reading: SnapshotReading,
  begin: (header: SnapshotHeader) => void,
  take: (bytes: Buffer) => void,
): Promise<SnapshotHeader> {
  let header: SnapshotHeader | undefined;
  let pending: Buffer = Buffer.alloc(0);
  let seen = 0;
  let filled = 0;
  try {
    for await (const piece of inflate(source)) {
      let chunk = piece as Buffer;
      seen += chunk.length;
      if (header === undefined) {
        pending = Buffer.concat([pending, chunk]);
        const newline = pending.indexOf(NEWLINE);
        if (newline === -1) {
          if (pending.length > MAX_HEADER_BYTES) throw reading.corrupt("missing or malformed header");
          continue;
        }
        header = parseHeader(pending.subarray(0, newline).toString("latin1"), reading.corrupt, reading.unsupported);
        if (header.fingerprint !== reading.fingerprinter.name) {
          throw reading.unsupported(`written with fingerprint ${header.fingerprint}, this version uses ${reading.fingerprinter.name}`);
        }
        begin(header);
        chunk = pending.subarray(newline + 1);
      }
      if (filled + chunk.length > header.bytes) throw reading.corrupt(`more than the ${header.bytes} bytes of IDs in its header`);
      filled += chunk.length;
      take(chunk);
    }
  } catch (error) {
    if (isZlibError(error)) throw reading.corrupt(`compressed data is damaged or truncated (${error.message})`, error);
    throw error;
  }
  if (header === undefined) throw reading.corrupt(seen === 0 ? "no header" : "truncated header");
  if (filled !== header.bytes) throw reading.corrupt(`truncated: ${filled} of ${header.bytes} bytes of IDs`);
  return header;
}

/** The last checks of every decoder: the content's digest is the header's, and the one expected. */
function checkDigests(reading: SnapshotReading, header: SnapshotHeader, contentDigest: string): void {
  if (contentDigest !== header.digest) throw reading.corrupt("content does not match the digest in its header");
  if (reading.expectedDigest !== undefined && header.digest !== reading.expectedDigest) throw reading.corrupt(`it holds a different set (${header.digest})`);
}

/**
 * Reads a snapshot back into an {@link IdSet}, checking it whole: compression
 * integrity, header, byte length, count, canonical order (so no repeats)
 * and digest. Any
 * damage is a {@link SnapshotCorruptError}; a format or fingerprint this
 * version does not know is a {@link SnapshotUnsupportedError}.
 */
export async function decodeSnapshot(
  source: Uint8Array | AsyncIterable<Uint8Array>,
  options: SnapshotDecodeOptions = {},
): Promise<IdSet> {
  const reading = readingOf(options);
  // The ID lines are the set's bytes: decompressed straight into one buffer, no per-line copies.
  let bytes = Buffer.alloc(0);
  let filled = 0;
  const header = await scanSnapshot(
    source instanceof Uint8Array ? [source] : source,
    reading,
    (found) => {
      bytes = Buffer.allocUnsafeSlow(found.bytes);
    },
    (chunk) => {
      chunk.copy(bytes, filled);
      filled += chunk.length;
    },
  );
  let set: IdSet;
  try {
    set = idSetFromCanonicalBytes(bytes, header.count, reading.fingerprinter);
  } catch (error) {
    if (error instanceof NotCanonicalError) throw reading.corrupt(error.message, error);
    throw error;
  }
  checkDigests(reading, header, setDigest(set));
  return set;
}

/**
 * Reads a snapshot into a {@link SpilledSet} in `directory`, in bounded memory: the same checks as
 * {@link decodeSnapshot} (header, sizes, canonical order, digest), made piece by piece.
 */
export async function decodeSnapshotToDisk(
  source: AsyncIterable<Uint8Array>,
  directory: string,
  options: SnapshotDecodeOptions = {},
): Promise<SpilledSet> {
  const reading = readingOf(options);
  const fingerprinter = reading.fingerprinter;
  const writer = new SpilledSetWriter(directory, fingerprinter);
  const hash = createHash("sha256");
  let pending: Buffer = Buffer.alloc(0);
  let count = 0;
  /** Adopts the whole lines of `bytes` and returns the rest. */
  const adopt = (bytes: Buffer): Buffer => {
    const end = bytes.lastIndexOf(NEWLINE) + 1;
    if (end === 0) return bytes;
    const lines = bytes.subarray(0, end);
    let n = 0;
    for (let at = lines.indexOf(NEWLINE); at !== -1; at = lines.indexOf(NEWLINE, at + 1)) n++;
    try {
      writer.append(idSetFromCanonicalBytes(lines, n, fingerprinter));
    } catch (error) {
      if (error instanceof NotCanonicalError) throw reading.corrupt(`IDs out of canonical order near ID ${count}`, error);
      throw error;
    }
    count += n;
    return bytes.subarray(end);
  };
  try {
    const header = await scanSnapshot(
      source,
      reading,
      (found) => hash.update(digestPrefix(fingerprinter, found.count)),
      (chunk) => {
        hash.update(chunk);
        pending = adopt(pending.length === 0 ? chunk : Buffer.concat([pending, chunk]));
      },
    );
    if (pending.length > 0) throw reading.corrupt("the last ID has no line break");
    if (count !== header.count) throw reading.corrupt(`${count} IDs where its header says ${header.count}`);
    checkDigests(reading, header, hash.digest("hex"));
  } catch (error) {
    writer.abandon();
    throw error;
  }
  return writer.finish();
}

function parseHeader(
  line: string,
  corrupt: (reason: string) => Error,
  unsupported: (detail: string) => Error,
): SnapshotHeader {
  const version = VERSION_PATTERN.exec(line)?.[1];
  if (version === undefined) throw corrupt("missing or malformed header");
  if (Number(version) !== FORMAT_VERSION) throw unsupported(`format version ${version}, this version reads ${FORMAT_VERSION}`);
  const match = HEADER_PATTERN.exec(line);
  if (match === null) throw corrupt("malformed header");
  const [, count, bytes, fingerprint, digest] = match as unknown as [string, string, string, string, string];
  const header = { count: Number(count), bytes: Number(bytes), fingerprint, digest };
  // Each ID takes at least 2 bytes ("x\n"); this also caps the up-front allocation.
  if (header.bytes > MAX_SET_BYTES || header.bytes < 2 * header.count) throw corrupt("impossible count or size in header");
  return header;
}

/** zlib reports damaged or truncated input with a `Z_*` error code, zstd with `ZSTD_*`. */
function isZlibError(error: unknown): error is Error {
  const code = nodeErrorCode(error);
  return code?.startsWith("Z_") === true || code?.startsWith("ZSTD_") === true;
}

const ZSTD_MAGIC = [0x28, 0xb5, 0x2f, 0xfd];

/**
 * The decompressed bytes of a snapshot in either codec, told apart by its first bytes (anything
 * else goes to gunzip, whose error then says the data is damaged).
 */
function inflate(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncIterable<unknown> {
  const pieces = Readable.from(source);
  async function* decompressed(): AsyncGenerator<unknown> {
    let head = Buffer.alloc(0);
    const iterator = pieces[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
    while (head.length < ZSTD_MAGIC.length) {
      const next = await iterator.next();
      if (next.done === true) break;
      head = Buffer.concat([head, next.value]);
    }
    const starts = (magic: readonly number[]): boolean => magic.every((byte, i) => head[i] === byte);
    const codec = starts(ZSTD_MAGIC) ? createZstdDecompress({ chunkSize: ZLIB_CHUNK_BYTES }) : createGunzip({ chunkSize: ZLIB_CHUNK_BYTES });
    async function* rest(): AsyncGenerator<Uint8Array> {
      if (head.length > 0) yield head;
      for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
    }
    yield* pipeline(Readable.from(rest()), codec, () => {
      // Errors reach the reader through the decompressing stream.
    });
  }
  return decompressed();
}
