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
  /** Text not yet written into `#body`, and its size in bytes (the items' own counts). */
  #pending = "";
  #pendingBytes = 0;
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
      this.#pendingBytes += item.bytes + 1;
    } else {
      this.#bytes += item.bytes;
      this.#pending = this.#start + item.json;
      this.#pendingBytes = this.#wrapperBytes - BODY_END.length + item.bytes;
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

  /**
   * Writes the pending text into the body. Its size comes from the items' byte counts (measuring
   * the text again flattened it first); the first write makes room for a whole body (up to
   * {@link FIRST_BODY_BYTES}), so a body is rarely copied to grow.
   */
  #flush(): void {
    const needed = this.#written + this.#pendingBytes;
    if (this.#body === undefined || needed > this.#body.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(this.#maxBodyBytes, Math.max(FIRST_BODY_BYTES, 2 * (this.#body?.length ?? 0)))));
      this.#body?.copy(grown, 0, 0, this.#written);
      this.#body = grown;
    }
    const written = this.#body.write(this.#pending, this.#written, "utf8");
    // An item whose byte count is not its text's would make a body other than the one counted.
    if (written !== this.#pendingBytes) throw new Error(`packer: items counted ${this.#pendingBytes} bytes and wrote ${written}`);
    this.#written += written;
    this.#pending = "";
    this.#pendingBytes = 0;
  }

  #take(): KeyedBatch<K> {
    this.#pending += BODY_END;
    this.#pendingBytes += BODY_END.length;
    // A body that never reached a flush is made to its size; a grown one is used as far as it is written.
    let body: Buffer;
    if (this.#body === undefined) body = Buffer.from(this.#pending, "utf8");
    else {
      this.#flush();
      body = this.#body.subarray(0, this.#written);
    }
    this.#pending = "";
    this.#pendingBytes = 0;
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
/** Room made at a body's first write: a whole hashed-records body (5 MB), capped for larger limits. */
const FIRST_BODY_BYTES = 8 * 1024 * 1024;

function checkItemFits(item: JsonArrayItem, wrapperBytes: number, maxBodyBytes: number): void {
  if (wrapperBytes + item.bytes > maxBodyBytes) {
    throw new RecordTooLargeError(item.recordType, item.recordId, wrapperBytes + item.bytes, maxBodyBytes);
  }
}

function* mapIterable<T, U>(items: Iterable<T>, map: (item: T, index: number) => U): Generator<U, void, undefined> {
  let index = 0;
  for (const item of items) yield map(item, index++);
}
