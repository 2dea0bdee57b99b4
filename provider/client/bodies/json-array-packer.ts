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
 *
 * A body's bytes are written into its own Buffer as items arrive, gathered in a short string and
 * copied out every {@link FLUSH_CHARS}: the items die young. Keeping a body's items in an array
 * until a final join and UTF-8 encoding made every scavenge copy megabytes of live strings and
 * cost a fifth of the records upload's CPU (`node --cpu-prof`, 200,000 rows).
 */
export class JsonArrayPacker<K> {
  readonly #start: string;
  readonly #maxBodyBytes: number;
  readonly #maxItems: number;
  readonly #wrapperBytes: number;
  #body: Buffer | undefined;
  /** Bytes of `#body` written so far. */
  #written = 0;
  /** Text not yet written into `#body`. */
  #pending = "";
  #items = 0;
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
    const separator = this.#items > 0 ? 1 : 0;
    const full = this.#items >= this.#maxItems || this.#bytes + separator + item.bytes > this.#maxBodyBytes ? this.#take() : undefined;
    if (this.#items > 0) {
      this.#bytes += item.bytes + 1;
      this.#pending += `,${item.json}`;
    } else {
      this.#bytes += item.bytes;
      this.#pending = this.#start + item.json;
    }
    this.#items++;
    this.#keys.push(key);
    if (this.#pending.length >= FLUSH_CHARS) this.#flush();
    return full;
  }

  finish(): KeyedBatch<K> | undefined {
    return this.#items > 0 ? this.#take() : undefined;
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

  /** Writes the pending text into the body, which grows by doubling (never past the body's size). */
  #flush(): void {
    const needed = this.#written + Buffer.byteLength(this.#pending, "utf8");
    if (this.#body === undefined || needed > this.#body.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(this.#maxBodyBytes, 2 * Math.max(FLUSH_CHARS, this.#body?.length ?? 0))));
      this.#body?.copy(grown, 0, 0, this.#written);
      this.#body = grown;
    }
    this.#written += this.#body.write(this.#pending, this.#written, "utf8");
    this.#pending = "";
  }

  #take(): KeyedBatch<K> {
    this.#pending += BODY_END;
    // A body that never reached a flush is made to its size; a grown one is used as far as it is written.
    let body: Buffer;
    if (this.#body === undefined) body = Buffer.from(this.#pending, "utf8");
    else {
      this.#flush();
      body = this.#body.subarray(0, this.#written);
    }
    this.#pending = "";
    const batch = { body, bytes: this.#bytes, ops: this.#items, keys: this.#keys };
    this.#body = undefined;
    this.#written = 0;
    this.#items = 0;
    this.#keys = [];
    this.#bytes = this.#wrapperBytes;
    return batch;
  }
}

/** Characters of pending text written into a body at once: one write per ~100 hashed records. */
const FLUSH_CHARS = 64 * 1024;

function checkItemFits(item: JsonArrayItem, wrapperBytes: number, maxBodyBytes: number): void {
  if (wrapperBytes + item.bytes > maxBodyBytes) {
    throw new RecordTooLargeError(item.recordType, item.recordId, wrapperBytes + item.bytes, maxBodyBytes);
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T, index: number) => U): Generator<U, void, undefined> {
  let index = 0;
  for (const item of items) yield map(item, index++);
}
