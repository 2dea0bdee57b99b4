/**
 * A set of byte strings (UTF-8) kept in typed arrays outside the JS heap.
 *
 * Why not `Set<string>`: an initial sync adds ~13,000 new members per 1 MB request. As JS strings
 * each costs a string allocation, V8 hashing, a promotion to old space and later GC marking
 * (measured here: ~1.4 µs CPU per new member including the string; ~0.6 µs as bytes), and
 * 5,000,000 cookie ids take ~200 MB that the GC never scans. Values can be added straight from a
 * range of the request body, without creating a string at all.
 *
 * Layout, chosen for few cache misses at millions of entries:
 * - `arena`: records in insertion order, each a 4-byte little-endian header (bit 31 = deleted,
 *   bits 0-30 = length) followed by the bytes;
 * - `slots`: open addressing with linear probing, pairs of (hash, record offset + 1); 0 means
 *   empty and 0xffffffff a removed record (tombstone).
 * A lookup touches one slot cache line and, on a hash match, one arena record. Removed records
 * stay in the arena until a rehash finds more than half of it garbage and compacts it.
 */

const EMPTY = 0;
const TOMBSTONE = 0xffffffff;
const DELETED_BIT = 0x80000000;
const MAX_LOAD = 0.7;

/** FNV-1a over bytes, finished with murmur3's fmix32 so that the low bits (the slot) are well mixed. */
export function hashBytes(src: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (src[i] as number), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** UTF-8 bytes of `s`; short ASCII strings go through a reused scratch buffer (no allocation). */
const scratch = Buffer.allocUnsafe(256);
export function utf8Bytes(s: string): { bytes: Uint8Array; length: number } {
  if (s.length <= scratch.length) {
    let i = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) break;
      scratch[i] = c;
    }
    if (i === s.length) return { bytes: scratch, length: i };
  }
  const bytes = Buffer.from(s, "utf8");
  return { bytes, length: bytes.length };
}

export class ByteStringSet {
  /** (hash, offset + 1) pairs; capacity = slots.length / 2, a power of two. */
  private slots = new Uint32Array(32);
  private arena = Buffer.allocUnsafe(256);
  private arenaTop = 0;
  private live = 0;
  private liveBytes = 0;
  private tombstones = 0;

  get size(): number {
    return this.live;
  }

  /** Adds the bytes `src[start..end)`; true when they were not in the set. */
  addBytes(src: Uint8Array, start: number, end: number): boolean {
    const h = hashBytes(src, start, end);
    const found = this.find(src, start, end, h);
    if (found >= 0) return false;
    const length = end - start;
    if (this.arenaTop + 4 + length > this.arena.length) this.growArena(4 + length);
    const arena = this.arena;
    const top = this.arenaTop;
    arena[top] = length & 0xff;
    arena[top + 1] = (length >>> 8) & 0xff;
    arena[top + 2] = (length >>> 16) & 0xff;
    arena[top + 3] = length >>> 24;
    if (length <= 64) for (let i = 0; i < length; i++) arena[top + 4 + i] = src[start + i] as number;
    else arena.set(src.subarray(start, end), top + 4);
    this.arenaTop = top + 4 + length;
    const slot = ~found;
    if (this.slots[2 * slot + 1] === TOMBSTONE) this.tombstones--;
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = top + 1;
    this.live++;
    this.liveBytes += length;
    if (this.live + this.tombstones > (this.slots.length >> 1) * MAX_LOAD) this.rehash();
    return true;
  }

  /** Removes the bytes `src[start..end)`; true when they were in the set. */
  deleteBytes(src: Uint8Array, start: number, end: number): boolean {
    const slot = this.find(src, start, end, hashBytes(src, start, end));
    if (slot < 0) return false;
    const offset = (this.slots[2 * slot + 1] as number) - 1;
    this.arena[offset + 3] = (this.arena[offset + 3] as number) | 0x80;
    this.slots[2 * slot + 1] = TOMBSTONE;
    this.tombstones++;
    this.live--;
    this.liveBytes -= end - start;
    return true;
  }

  hasBytes(src: Uint8Array, start: number, end: number): boolean {
    return this.find(src, start, end, hashBytes(src, start, end)) >= 0;
  }

  add(value: string): boolean {
    const { bytes, length } = utf8Bytes(value);
    return this.addBytes(bytes, 0, length);
  }

  delete(value: string): boolean {
    const { bytes, length } = utf8Bytes(value);
    return this.deleteBytes(bytes, 0, length);
  }

  has(value: string): boolean {
    const { bytes, length } = utf8Bytes(value);
    return this.hasBytes(bytes, 0, length);
  }

  /** Values in insertion order. */
  *values(): Generator<string> {
    const arena = this.arena;
    for (let o = 0; o < this.arenaTop; ) {
      const header = this.header(o);
      const length = header & ~DELETED_BIT;
      if ((header & DELETED_BIT) === 0) yield arena.toString("utf8", o + 4, o + 4 + length);
      o += 4 + length;
    }
  }

  private header(offset: number): number {
    const a = this.arena;
    return ((a[offset] as number) | ((a[offset + 1] as number) << 8) | ((a[offset + 2] as number) << 16) | ((a[offset + 3] as number) << 24)) >>> 0;
  }

  /**
   * Slot holding the value (>= 0), or `~slot` where it would be inserted: the first tombstone
   * on the probe path, else the empty slot that ended it.
   */
  private find(src: Uint8Array, start: number, end: number, h: number): number {
    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    const length = end - start;
    let insertAt = -1;
    for (let j = h & mask; ; j = (j + 1) & mask) {
      const e = slots[2 * j + 1] as number;
      if (e === EMPTY) return ~(insertAt >= 0 ? insertAt : j);
      if (e === TOMBSTONE) {
        if (insertAt < 0) insertAt = j;
      } else if (slots[2 * j] === h && this.header(e - 1) === length && this.equalAt(e + 3, src, start, length)) {
        return j; // a deleted record never matches: its header has the deleted bit set
      }
    }
  }

  private equalAt(offset: number, src: Uint8Array, start: number, length: number): boolean {
    const arena = this.arena;
    for (let i = 0; i < length; i++) if (arena[offset + i] !== src[start + i]) return false;
    return true;
  }

  private growArena(extra: number): void {
    const grown = Buffer.allocUnsafe(Math.max(this.arena.length * 2, this.arenaTop + extra));
    this.arena.copy(grown, 0, 0, this.arenaTop);
    this.arena = grown;
  }

  /**
   * Rebuilds the slots without tombstones, doubling them while the live records would fill more
   * than half the load limit; compacts the arena first when more than half of it is garbage.
   */
  private rehash(): void {
    let capacity = this.slots.length >> 1;
    while (this.live + 1 > capacity * MAX_LOAD * 0.5) capacity *= 2;
    const slots = new Uint32Array(2 * capacity);
    const mask = capacity - 1;
    const insert = (h: number, offset: number): void => {
      let t = h & mask;
      while (slots[2 * t + 1] !== EMPTY) t = (t + 1) & mask;
      slots[2 * t] = h;
      slots[2 * t + 1] = offset + 1;
    };
    if (this.liveBytes + 4 * this.live < this.arenaTop / 2) {
      // Copy live records to a fresh arena; their offsets change, so re-hash them.
      const arena = Buffer.allocUnsafe(Math.max(256, 2 * (this.liveBytes + 4 * this.live)));
      let top = 0;
      for (let o = 0; o < this.arenaTop; ) {
        const header = this.header(o);
        const length = header & ~DELETED_BIT;
        if ((header & DELETED_BIT) === 0) {
          this.arena.copy(arena, top, o, o + 4 + length);
          insert(hashBytes(arena, top + 4, top + 4 + length), top);
          top += 4 + length;
        }
        o += 4 + length;
      }
      this.arena = arena;
      this.arenaTop = top;
    } else {
      const old = this.slots;
      for (let j = 0; j < old.length; j += 2) {
        const e = old[j + 1] as number;
        if (e !== EMPTY && e !== TOMBSTONE) insert(old[j] as number, e - 1);
      }
    }
    this.slots = slots;
    this.tombstones = 0;
  }
}
