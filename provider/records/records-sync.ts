/**
 * Sending hashed records and tracking what Amazon accepted, request by request: each request
 * carries whole records, so a failure part way still says exactly which records are uploaded,
 * and the next run sends only the rest.
 */
import { HASHED_BODY_OVERHEAD as BODY_OVERHEAD, type DspClient, type DspEventListener, type HashedRecordInput } from "../client";
import { IdSetBuilder, type IdSet } from "../plan";
import { hashedRecordJson } from "../pii";
import { API_LIMITS } from "../api-vocabulary";
import { keyedRecordOf, recordKey, type KeyedRecord, type RecordLine } from "./records-source";

/** How records are sent. */
export interface RecordsSyncOptions {
  /** Largest request body in bytes (Amazon answers 413 above 5 MB). @default 5,000,000 */
  maxBodyBytes?: number;
  /** Requests in flight at once; the client's hashedRecords lane still paces them (5 req/s). @default 4 */
  concurrency?: number;
  /** Hears every upload request's client events (progress lines). @default none */
  onProgress?: DspEventListener;
}

/** What was accepted, also when the upload failed part way. */
export interface RecordsSyncResult {
  /** `externalId:rowDigest` of every record Amazon accepted. */
  accepted: IdSet;
  /** Wanted records read from the CSV (repeated rows counted each time). */
  found: number;
  requests: number;
  requestIds: string[];
  /** The first failure; no new request was started after it. */
  error?: Error;
}

/** Records for exactly one request body, and their keys. */
export interface RecordGroup {
  records: HashedRecordInput[];
  keys: string[];
  bytes: number;
}

/**
 * Collects records into groups that each fit one body, in order. Sizes are those of the body
 * the client builds (`{"records":[…]}`, one JSON item per record). Pure.
 */
export function createRecordGrouper(maxBodyBytes: number = API_LIMITS.hashedRecordsBodyBytes): { add(record: KeyedRecord): RecordGroup | undefined; flush(): RecordGroup | undefined } {
  let group: RecordGroup = { records: [], keys: [], bytes: BODY_OVERHEAD };
  const take = (): RecordGroup => {
    const full = group;
    group = { records: [], keys: [], bytes: BODY_OVERHEAD };
    return full;
  };
  return {
    add(record) {
      const item = hashedRecordJson({ externalId: record.externalId, hashed: record.hashed, row: 0 }).length;
      if (BODY_OVERHEAD + item > maxBodyBytes) throw new RangeError(`a record of ${item} bytes cannot fit a body of ${maxBodyBytes} bytes`);
      const done = group.records.length > 0 && group.bytes + 1 + item > maxBodyBytes ? take() : undefined;
      group.bytes += (group.records.length > 0 ? 1 : 0) + item;
      group.records.push({ externalId: record.externalId, hashedRecords: [record.hashed] });
      group.keys.push(recordKey(record.externalId, record.rowDigest));
      return done;
    },
    flush() {
      return group.records.length > 0 ? take() : undefined;
    },
  };
}

/**
 * Uploads the records of `batches` whose key `wanted` accepts, one request per group, and
 * reports what Amazon accepted. Reading stops at the first failure (a read error counts too).
 */
export async function uploadWantedRecords(
  client: Pick<DspClient, "uploadHashedRecords">,
  batches: AsyncIterator<RecordLine[], unknown>,
  wanted: (key: string) => boolean,
  options: RecordsSyncOptions = {},
): Promise<RecordsSyncResult> {
  const accepted = new IdSetBuilder();
  const requestIds: string[] = [];
  let found = 0;
  let requests = 0;
  let error: Error | undefined;
  const grouper = createRecordGrouper(options.maxBodyBytes);

  async function* groups(): AsyncGenerator<RecordGroup, void, undefined> {
    try {
      for (;;) {
        const next = await batches.next();
        if (next.done === true) break;
        for (const record of next.value) {
          if (!wanted(recordKey(record.externalId, record.rowDigest))) continue;
          found++;
          const full = grouper.add(keyedRecordOf(record));
          if (full !== undefined) yield full;
        }
      }
      const last = grouper.flush();
      if (last !== undefined) yield last;
    } finally {
      // Stopping early must still close the reader (its file and worker threads).
      await batches.return?.(undefined);
    }
  }

  // Workers share one generator; an async generator queues concurrent next() calls.
  const source = groups();
  const worker = async (): Promise<void> => {
    while (error === undefined) {
      let group: RecordGroup;
      try {
        const next = await source.next();
        if (next.done === true) return;
        group = next.value;
      } catch (e) {
        error ??= e instanceof Error ? e : new Error(String(e));
        return;
      }
      try {
        const r = await client.uploadHashedRecords(group.records, options.onProgress === undefined ? {} : { onProgress: options.onProgress });
        requests += r.requests;
        requestIds.push(...r.requestIds);
        for (const key of group.keys) accepted.add(key);
      } catch (e) {
        error ??= e instanceof Error ? e : new Error(String(e));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  await source.return(undefined);
  const result: RecordsSyncResult = { accepted: accepted.build(), found, requests, requestIds };
  if (error !== undefined) result.error = error;
  return result;
}
