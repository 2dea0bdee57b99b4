/**
 * The packer of bodies shaped `<start>item,item]}` (hashed records, user deletions): items are
 * rendered to JSON one by one and gathered into bodies within byte and count limits, each body
 * with the caller's key of every item it holds.
 */
import { RecordTooLargeError } from "../input-errors";
import type { ItemLimits } from "./body-limits";
import { BODY_END, type Keyed, type KeyedBatch, type RequestBatch } from "./request-batch";

/** One input rendered as JSON, with what names it in an error. */
export interface JsonArrayItem {
  json: string;
  bytes: number;
  recordType: string;
  recordId: string;
}

/** An endpoint whose body is `<start>item,item]}`: how an input becomes an item, and its limits. */
export interface ArrayEndpoint<T, L> {
  start: string;
  item(input: T, index: number): JsonArrayItem;
  /** Checks the limits and returns them in the packer's terms. */
  limits(limits: L): ItemLimits;
}

/** Packs keyed inputs lazily, each body with the keys of its items. */
export function* packKeyed<T, L, K>(endpoint: ArrayEndpoint<T, L>, inputs: Iterable<Keyed<T, K>>, limits: L): Generator<KeyedBatch<K>, void, undefined> {
  const packer = new JsonArrayPacker<K>(endpoint.start, endpoint.limits(limits));
  yield* packer.packAll(mapIterable(inputs, ({ input, key }, index) => ({ item: endpoint.item(input, index), key })));
}

/** Packs without keys (the array-input calls of the client). */
export function* packUnkeyed<T, L>(endpoint: ArrayEndpoint<T, L>, inputs: Iterable<T>, limits: L): Generator<RequestBatch, void, undefined> {
  const keyed = packKeyed(endpoint, mapIterable(inputs, (input) => ({ input, key: undefined })), limits);
  for (const batch of keyed) yield { body: batch.body, bytes: batch.bytes, ops: batch.ops };
}

/** Validates every input and checks it fits a body on its own. */
export function checkAll<T, L>(endpoint: ArrayEndpoint<T, L>, inputs: Iterable<T>, limits: L): void {
  const { maxBodyBytes } = endpoint.limits(limits);
  const wrapperBytes = endpoint.start.length + BODY_END.length;
  let index = 0;
  for (const input of inputs) checkItemFits(endpoint.item(input, index++), wrapperBytes, maxBodyBytes);
}

/**
 * Packs pre-rendered JSON items into `<start>item,item<end>` bodies within byte and count
 * limits, keeping the caller's key of each item. `add` returns the previous body when the item
 * had to start a new one.
 */
export class JsonArrayPacker<K> {
  readonly #start: string;
  readonly #maxBodyBytes: number;
  readonly #maxItems: number;
  readonly #wrapperBytes: number;
  #parts: string[] = [];
  #keys: K[] = [];
  #bytes: number;

  constructor(start: string, limits: ItemLimits) {
    this.#start = start;
    this.#maxBodyBytes = limits.maxBodyBytes;
    this.#maxItems = limits.maxItems;
    this.#wrapperBytes = start.length + BODY_END.length;
    this.#bytes = this.#wrapperBytes;
  }

  add(item: JsonArrayItem, key: K): KeyedBatch<K> | undefined {
    checkItemFits(item, this.#wrapperBytes, this.#maxBodyBytes);
    const separator = this.#parts.length > 0 ? 1 : 0;
    const full = this.#parts.length >= this.#maxItems || this.#bytes + separator + item.bytes > this.#maxBodyBytes ? this.#take() : undefined;
    this.#bytes += item.bytes + (this.#parts.length > 0 ? 1 : 0);
    this.#parts.push(item.json);
    this.#keys.push(key);
    return full;
  }

  finish(): KeyedBatch<K> | undefined {
    return this.#parts.length > 0 ? this.#take() : undefined;
  }

  /** Every body of `items`, lazily. */
  *packAll(items: Iterable<{ item: JsonArrayItem; key: K }>): Generator<KeyedBatch<K>, void, undefined> {
    for (const { item, key } of items) {
      const full = this.add(item, key);
      if (full !== undefined) yield full;
    }
    const last = this.finish();
    if (last !== undefined) yield last;
  }

  #take(): KeyedBatch<K> {
    const batch = { body: Buffer.from(this.#start + this.#parts.join(",") + BODY_END, "utf8"), bytes: this.#bytes, ops: this.#parts.length, keys: this.#keys };
    this.#parts = [];
    this.#keys = [];
    this.#bytes = this.#wrapperBytes;
    return batch;
  }
}

function checkItemFits(item: JsonArrayItem, wrapperBytes: number, maxBodyBytes: number): void {
  if (wrapperBytes + item.bytes > maxBodyBytes) {
    throw new RecordTooLargeError(item.recordType, item.recordId, wrapperBytes + item.bytes, maxBodyBytes);
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T, index: number) => U): Generator<U, void, undefined> {
  let index = 0;
  for (const item of items) yield map(item, index++);
}
