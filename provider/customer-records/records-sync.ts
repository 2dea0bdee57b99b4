/**
 * Sending hashed records and tracking what Amazon accepted, request by request: each request
 * carries whole records, so a failure part way still says exactly which records are uploaded,
 * and the next run sends only the rest.
 */
import { createHashedRecordPacker, type BodyAcceptance, type DspClient, type DspEventListener, type KeyedBatch } from "../client";
import { IdSetBuilder, type IdSet } from "../plan";
import { API_LIMITS } from "../api-vocabulary";
import { hashedRecordJsonOfCsvLine } from "../pii";
import { recordKey, type RecordLine } from "./records-source";
import { sendTracked } from "../sync/tracked-send";

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
  /** Keys of records sent in requests whose answer did not prove the outcome (5xx, timeout, dropped connection). */
  unknown: IdSet;
  /** Wanted records read from the CSV (repeated rows counted each time). */
  found: number;
  requests: number;
  requestIds: string[];
  /** The first failure; no new request was started after it. */
  error?: Error;
}

/**
 * Uploads the records of `batches` whose key `wanted` accepts, packed by the client's packer (one
 * request per body), and reports what Amazon accepted. Reading stops at the first failure (a
 * read error counts too).
 */
export async function uploadWantedRecords(
  client: Pick<DspClient, "sendBody">,
  batches: AsyncIterator<RecordLine[], unknown>,
  wanted: (key: string) => boolean,
  options: RecordsSyncOptions = {},
): Promise<RecordsSyncResult> {
  let found = 0;
  const bodies = wantedRecordBodies(batches, wanted, options.maxBodyBytes ?? API_LIMITS.hashedRecordsBodyBytes, () => found++);
  const accepted = new IdSetBuilder();
  const unknown = new IdSetBuilder();
  const requestIds: string[] = [];
  let requests = 0;
  const sendOptions = options.onProgress === undefined ? {} : { onProgress: options.onProgress };
  const sent = await sendTracked<string, BodyAcceptance>(bodies, (batch) => client.sendBody({ kind: "hashedRecords", batch }, sendOptions), {
    concurrency: options.concurrency ?? 4,
    onOutcome(body) {
      if (body.outcome === "unknown") for (const key of body.keys) unknown.add(key);
      if (body.outcome !== "accepted" || body.answer === undefined) return;
      requests++;
      if (body.answer.requestId !== undefined) requestIds.push(body.answer.requestId);
      for (const key of body.keys) accepted.add(key);
    },
  });
  const result: RecordsSyncResult = { accepted: accepted.build(), unknown: unknown.build(), found, requests, requestIds };
  if (sent.error !== undefined) result.error = sent.error;
  return result;
}

/**
 * The request bodies of the records of `batches` whose key `wanted` accepts, each with the keys
 * of its records, packed by the client's packer: what {@link uploadWantedRecords} sends. Stopping
 * early (or a failure) closes the reader.
 * @param onWanted hears each wanted record
 * @throws RangeError at once when `maxBodyBytes` is not a positive integer
 */
export function wantedRecordBodies(
  batches: AsyncIterator<RecordLine[], unknown>,
  wanted: (key: string) => boolean,
  maxBodyBytes: number,
  onWanted?: () => void,
): AsyncGenerator<KeyedBatch<string>, void, undefined> {
  const packer = createHashedRecordPacker<string>({ maxBodyBytes, maxRecords: Number.POSITIVE_INFINITY });
  return (async function* bodies() {
    try {
      for (;;) {
        const next = await batches.next();
        if (next.done === true) break;
        for (const line of next.value) {
          const key = recordKey(line.externalId, line.rowDigest);
          if (!wanted(key)) continue;
          onWanted?.();
          // The PII layer made and checked the line's values: its JSON item goes in as it is.
          const full = packer.addRendered({ externalId: line.externalId, json: hashedRecordJsonOfCsvLine(line.line) }, key);
          if (full !== undefined) yield full;
        }
      }
      const last = packer.finish();
      if (last !== undefined) yield last;
    } finally {
      // Stopping early must still close the reader (its file and worker threads).
      await batches.return?.(undefined);
    }
  })();
}
