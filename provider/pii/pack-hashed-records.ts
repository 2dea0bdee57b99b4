/**
 * Packs hashed records into request bodies for POST /dp/records/hashed:
 * `{"records":[{"externalId":"…","hashedRecords":[{…}]},…]}`, each at most `maxBytes` (the API
 * answers 413 above 5 MB). Bodies are built by string concatenation, not JSON.stringify, which is
 * 2–3× faster for this shape (perf-baselines.md §1). Greedy and order-preserving, so the same
 * records always give the same bodies, whether they arrive one by one or as pre-joined batches.
 */
import type { HashedRecord } from "./pii-fields";
import { hashedRecordJson } from "./record-format";

/** The API's limit: "Max request size is 5 MB" (413); counted as 10^6 bytes per MB, the safe reading. */
export const MAX_HASHED_BODY_BYTES = 5_000_000;

const PREFIX = '{"records":[';
const SUFFIX = "]}";
/** Bytes of a body around its records. */
export const BODY_OVERHEAD = PREFIX.length + SUFFIX.length;

export interface PackedBody {
  /** JSON text; ASCII only, so its length is its size in bytes. */
  readonly body: string;
  readonly records: number;
  readonly bytes: number;
}

export interface BodyPacker {
  /** Adds one serialised record; returns the finished body when the record did not fit into it. */
  add(item: string): PackedBody | undefined;
  /**
   * Adds serialised records that arrive joined by "," (one string per worker batch) with their
   * lengths; slices runs out of `joined` instead of materialising one string per record.
   */
  addJoined(joined: string, lengths: ArrayLike<number>): PackedBody[];
  /** Returns the last, partly filled body, if any. */
  flush(): PackedBody | undefined;
}

/** Incremental packer; no I/O, output depends only on the items and their order. */
export function createBodyPacker(maxBytes: number = MAX_HASHED_BODY_BYTES): BodyPacker {
  if (!Number.isInteger(maxBytes) || maxBytes <= BODY_OVERHEAD) throw new RangeError(`maxBytes must be an integer > ${BODY_OVERHEAD}`);
  let parts: string[] = [];
  let size = 0; // bytes of records and the commas between them
  let count = 0;

  const checkFits = (length: number): void => {
    if (BODY_OVERHEAD + length > maxBytes) throw new RangeError(`a record of ${length} bytes cannot fit a body of maxBytes ${maxBytes}`);
  };
  const full = (length: number): boolean => count > 0 && BODY_OVERHEAD + size + 1 + length > maxBytes;
  const append = (length: number): void => {
    size += (count > 0 ? 1 : 0) + length;
    count++;
  };
  const finish = (): PackedBody => {
    const body = PREFIX + parts.join(",") + SUFFIX;
    const packed = { body, records: count, bytes: body.length };
    parts = [];
    size = 0;
    count = 0;
    return packed;
  };

  return {
    add(item) {
      checkFits(item.length);
      const done = full(item.length) ? finish() : undefined;
      parts.push(item);
      append(item.length);
      return done;
    },
    addJoined(joined, lengths) {
      const done: PackedBody[] = [];
      let runStart = 0; // offset in `joined` of the first record not yet in `parts`
      let position = 0;
      for (let i = 0; i < lengths.length; i++) {
        const length = lengths[i] ?? 0;
        checkFits(length);
        if (full(length)) {
          if (position > runStart) parts.push(joined.slice(runStart, position - 1)); // drop the separating comma
          done.push(finish());
          runStart = position;
        }
        append(length);
        position += length + 1;
      }
      if (position > runStart) parts.push(joined.slice(runStart, position - 1));
      return done;
    },
    flush() {
      return count > 0 ? finish() : undefined;
    },
  };
}

/** Packs records into bodies of at most `maxBytes`; every record lands in exactly one body, in order. */
export function* packHashedRecords(records: Iterable<HashedRecord>, maxBytes?: number): Generator<PackedBody, void, undefined> {
  const packer = createBodyPacker(maxBytes);
  for (const record of records) {
    const done = packer.add(hashedRecordJson(record));
    if (done !== undefined) yield done;
  }
  const last = packer.flush();
  if (last !== undefined) yield last;
}

/** {@link packHashedRecords} for a stream of records, e.g. from readHashedRecords. Returns the stream's return value. */
export async function* packHashedRecordsAsync<R>(
  records: AsyncIterator<HashedRecord, R> | AsyncIterable<HashedRecord>,
  maxBytes?: number,
): AsyncGenerator<PackedBody, R | undefined, undefined> {
  const packer = createBodyPacker(maxBytes);
  const iterator = Symbol.asyncIterator in records ? records[Symbol.asyncIterator]() : records;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) {
      const last = packer.flush();
      if (last !== undefined) yield last;
      return next.value as R | undefined;
    }
    const done = packer.add(hashedRecordJson(next.value));
    if (done !== undefined) yield done;
  }
}
