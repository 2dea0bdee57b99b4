/**
 * A DuckDB data chunk's text column as the lines of {@link ColumnSink.lines}: values joined by
 * "\n", NULL as {@link NULL_LINE}, a "\n" inside a value as U+0002 (so that it stays one invalid
 * value). Runs in the DuckDB process (duckdb-host.ts), one chunk (2,048 rows) at a time.
 *
 * The bytes are read from the chunk's own memory, with no JS string per row: turning 5M values
 * into JS strings one by one costs more CPU than DuckDB spends reading the whole Parquet file. A
 * VARCHAR vector is an array of 16-byte `duckdb_string_t` (DuckDB's C API): a 4-byte length,
 * then the value itself when it fits in 12 bytes, else a 4-byte prefix and a pointer. Longer
 * values lie back to back in a few heap blocks per chunk, so each run of adjacent values is
 * copied with one call instead of one call per value (about 1 s of CPU at 5M rows against 3.5 s).
 * Where those calls are missing (another `@duckdb/node-api` release) or the machine is big-endian,
 * the values are read through the public API instead: the same bytes, slower.
 */
import { createRequire } from "node:module";
import { endianness } from "node:os";
import type { DuckDBDataChunk } from "@duckdb/node-api";
import { NULL_LINE } from "./sql-driver";

const LF = 0x0a;
/** What a "\n" inside a value becomes. */
const LF_IN_VALUE = 0x02;
const NULL_BYTE = NULL_LINE.charCodeAt(0);
/** Bytes of one `duckdb_string_t`. */
const STRING_T_BYTES = 16;
/** Longest value stored inside its `duckdb_string_t`. */
const INLINED_BYTES = 12;
/** Where a `duckdb_string_t`'s pointer starts. */
const POINTER_OFFSET = 8;

/** The calls of `@duckdb/node-bindings` (which `@duckdb/node-api` is built on) that read a chunk's memory. */
export interface ChunkMemory {
  data_chunk_get_vector(chunk: unknown, column: number): unknown;
  /** The vector's data array, in place. */
  vector_get_data(vector: unknown, bytes: number): Uint8Array;
  /** One bit per row, set when the row is not NULL; null (or empty) when no row is NULL. */
  vector_get_validity(vector: unknown, bytes: number): Uint8Array | null;
  /** A copy of `bytes` bytes from the pointer stored in `buffer` at `pointerOffset`. */
  get_data_from_pointer(buffer: ArrayBuffer, pointerOffset: number, bytes: number): Uint8Array;
}

let loaded: ChunkMemory | null | undefined;

/** The bindings `@duckdb/node-api` itself uses, when they have every call needed on a little-endian machine; else null. */
export function chunkMemory(): ChunkMemory | null {
  if (loaded !== undefined) return loaded;
  loaded = null;
  if (endianness() !== "LE") return loaded;
  try {
    const bindings = createRequire(require.resolve("@duckdb/node-api"))("@duckdb/node-bindings") as Partial<Record<keyof ChunkMemory, unknown>>;
    const calls: Array<keyof ChunkMemory> = ["data_chunk_get_vector", "vector_get_data", "vector_get_validity", "get_data_from_pointer"];
    if (calls.every((call) => typeof bindings[call] === "function")) loaded = bindings as unknown as ChunkMemory;
  } catch {
    // Not where node-api keeps it: the public API reads the values.
  }
  return loaded;
}

/**
 * Column 0 of `chunk` (VARCHAR) as lines, no "\n" after the last.
 * @param memory the bindings that read the chunk in place; null: through the public API
 */
export function chunkLines(chunk: DuckDBDataChunk, memory: ChunkMemory | null = chunkMemory()): Buffer {
  return memory === null ? linesOfValues(chunk) : linesOfMemory(chunk, memory);
}

function linesOfValues(chunk: DuckDBDataChunk): Buffer {
  const values = chunk.getColumnVector(0);
  const lines: string[] = [];
  for (let i = 0; i < chunk.rowCount; i++) {
    const value = values.getItem(i);
    lines.push(value === null ? NULL_LINE : String(value).replaceAll("\n", String.fromCharCode(LF_IN_VALUE)));
  }
  return Buffer.from(lines.join("\n"), "utf8");
}

function linesOfMemory(chunk: DuckDBDataChunk, memory: ChunkMemory): Buffer {
  const rows = chunk.rowCount;
  const vector = memory.data_chunk_get_vector(chunk.chunk, 0);
  const data = memory.vector_get_data(vector, rows * STRING_T_BYTES);
  const strings = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const validity = memory.vector_get_validity(vector, Math.ceil(rows / 64) * 8);
  const isNull = validity === null || validity.byteLength === 0 ? () => false : (row: number) => ((validity[row >> 3] ?? 0) & (1 << (row & 7))) === 0;
  const length = (row: number): number => strings.readUInt32LE(row * STRING_T_BYTES);
  const pointer = (row: number): number => strings.readUInt32LE(row * STRING_T_BYTES + POINTER_OFFSET + 4) * 2 ** 32 + strings.readUInt32LE(row * STRING_T_BYTES + POINTER_OFFSET);

  let total = Math.max(0, rows - 1);
  for (let row = 0; row < rows; row++) total += isNull(row) ? 1 : length(row);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  let row = 0;
  while (row < rows) {
    if (row > 0) out[at++] = LF;
    const bytes = length(row);
    if (isNull(row)) {
      out[at++] = NULL_BYTE;
      row++;
    } else if (bytes <= INLINED_BYTES) {
      for (let i = row * STRING_T_BYTES + 4, end = i + bytes; i < end; i++) {
        const byte = strings[i] ?? 0;
        out[at++] = byte === LF ? LF_IN_VALUE : byte;
      }
      row++;
    } else {
      // The run of values stored back to back from this one: one copy reads exactly their bytes.
      const start = pointer(row);
      let end = start + bytes;
      let last = row + 1;
      for (; last < rows && !isNull(last) && length(last) > INLINED_BYTES && pointer(last) === end; last++) end += length(last);
      const copy = memory.get_data_from_pointer(data.buffer as ArrayBuffer, data.byteOffset + row * STRING_T_BYTES + POINTER_OFFSET, end - start);
      const run = Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength);
      const lfInside = run.includes(LF);
      for (let offset = 0; row < last; row++) {
        if (offset > 0) out[at++] = LF;
        const valueEnd = offset + length(row);
        run.copy(out, at, offset, valueEnd);
        if (lfInside) for (let i = at; i < at + valueEnd - offset; i++) if (out[i] === LF) out[i] = LF_IN_VALUE;
        at += valueEnd - offset;
        offset = valueEnd;
      }
    }
  }
  return out;
}
