/**
 * The one way bodies go out to Amazon when what they carried must be recorded: a stream of packed
 * bodies (each with the keys it carries, from the client's packers) is sent with bounded
 * concurrency, and every body ends in one outcome: `accepted` (a 2xx), `unknown` (the answer did
 * not prove whether it was applied) or `rejected` (the answer proves it was not), as
 * send-outcome.ts classifies failures. After the first failure no new body is started; bodies in
 * flight still finish and are recorded. Used by membership syncs, the records upload and user deletions.
 */
import type { KeyedBatch, RequestBatch } from "../client";
import { outcomeOfFailure, type SendOutcome } from "./send-outcome";

export type TrackedOutcome = "accepted" | SendOutcome;

/** What became of one body. */
export interface BodyOutcome<K, A> {
  /** The keys the body carried, in order. */
  keys: readonly K[];
  outcome: TrackedOutcome;
  /** The send's answer, when accepted. */
  answer?: A;
  /** The failure, when not accepted. */
  error?: Error;
}

export interface TrackedSendOptions<K, A> {
  /** Bodies in flight at once; the client's lane throttle still paces them. @default 1 */
  concurrency?: number;
  /** Hears each body's outcome as soon as it is known (in completion order). @default none */
  onOutcome?: (outcome: BodyOutcome<K, A>) => void;
}

/** Every body's outcome, also when the send stopped part way. */
export interface TrackedSendResult<K, A> {
  /** In completion order; bodies never started are not listed. */
  bodies: Array<BodyOutcome<K, A>>;
  /** The first failure: of a send, or of reading or packing the source. */
  error?: Error;
}

/**
 * Sends every body of `bodies` with `send`, at most `concurrency` at once, and records each
 * body's outcome. Never throws for a failed send or a failing source: the first such error is in
 * the result. The source is closed (`return()`) at the end, also after a failure, so a CSV
 * reader releases its file and workers.
 */
export async function sendTracked<K, A, B extends RequestBatch = RequestBatch>(
  bodies: Iterable<KeyedBatch<K, B>> | AsyncIterable<KeyedBatch<K, B>>,
  send: (body: KeyedBatch<K, B>) => Promise<A>,
  options: TrackedSendOptions<K, A> = {},
): Promise<TrackedSendResult<K, A>> {
  // Workers share one iterator: a sync one is safe (one next() at a time on one thread) and an
  // async generator queues concurrent next() calls.
  const source: Iterator<KeyedBatch<K, B>> | AsyncIterator<KeyedBatch<K, B>> =
    Symbol.asyncIterator in bodies ? bodies[Symbol.asyncIterator]() : bodies[Symbol.iterator]();
  const result: TrackedSendResult<K, A> = { bodies: [] };
  const record = (outcome: BodyOutcome<K, A>): void => {
    result.bodies.push(outcome);
    options.onOutcome?.(outcome);
  };
  const worker = async (): Promise<void> => {
    while (result.error === undefined) {
      let body: KeyedBatch<K, B>;
      try {
        const next = await source.next();
        if (next.done === true) return;
        body = next.value;
      } catch (e) {
        result.error ??= asError(e);
        return;
      }
      if (result.error !== undefined) return; // another worker failed meanwhile: start nothing new
      try {
        const answer = await send(body);
        record({ keys: body.keys, outcome: "accepted", answer });
      } catch (e) {
        const error = asError(e);
        result.error ??= error;
        record({ keys: body.keys, outcome: outcomeOfFailure(e), error });
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency ?? 1 }, worker));
  } finally {
    await source.return?.(undefined);
  }
  return result;
}

function asError(e: unknown): Error {
  return e instanceof Error ? e : new Error(String(e));
}
