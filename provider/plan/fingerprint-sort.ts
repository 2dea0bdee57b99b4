/**
 * Sorting 64-bit fingerprints while keeping track of where each came from.
 *
 * `BigUint64Array.prototype.sort` is fast but loses the link back to the ID,
 * and a comparator sort over millions of indices is slow. This is an MSD
 * radix sort over the two 32-bit halves that carries the original index
 * along: 8 bits per level keeps the scatter inside the CPU caches (a 16-bit
 * LSD pass thrashes them), and small ranges finish with an insertion sort.
 */

const DIGIT_BITS = 8;
const DIGIT_VALUES = 1 << DIGIT_BITS;
const DIGIT_MASK = DIGIT_VALUES - 1;
/** Below this size an insertion sort beats another radix level. */
const INSERTION_SORT_MAX = 32;

/** Working arrays shared by every level of one sort. */
interface SortState {
  readonly hi: Uint32Array;
  readonly lo: Uint32Array;
  readonly order: Uint32Array;
  readonly scratchHi: Uint32Array;
  readonly scratchLo: Uint32Array;
  readonly scratchOrder: Uint32Array;
  /** One histogram per level (at most 8 levels for 64 bits), reused across ranges. */
  readonly counts: Uint32Array[];
  /** Next free slot per digit during a scatter; one scatter runs at a time. */
  readonly next: Uint32Array;
}

/**
 * Sorts `hi`/`lo` (the high and low halves of each fingerprint) ascending,
 * in place and stably (equal fingerprints keep their input order).
 *
 * @returns `order`, where `order[k]` is the original position of the k-th
 *   smallest fingerprint.
 */
export function sortFingerprints(hi: Uint32Array, lo: Uint32Array): Uint32Array {
  const n = hi.length;
  if (lo.length !== n) throw new RangeError("fingerprint halves differ in length");
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n < 2) return order;
  const state: SortState = {
    hi,
    lo,
    order,
    scratchHi: new Uint32Array(n),
    scratchLo: new Uint32Array(n),
    scratchOrder: new Uint32Array(n),
    counts: Array.from({ length: 64 / DIGIT_BITS }, () => new Uint32Array(DIGIT_VALUES + 1)),
    next: new Uint32Array(DIGIT_VALUES),
  };
  sortRange(state, 0, n, 0);
  return order;
}

/** Sorts [start, end) whose fingerprints agree on the `level * 8` top bits. */
function sortRange(state: SortState, start: number, end: number, level: number): void {
  const { hi, lo, order } = state;
  for (;;) {
    if (end - start <= INSERTION_SORT_MAX) {
      insertionSort(hi, lo, order, start, end);
      return;
    }
    if (level === state.counts.length) return; // all 64 bits equal
    const keys = level < 4 ? hi : lo;
    const shift = 24 - (level % 4) * DIGIT_BITS;
    // starts[d + 1] counts digit d; after the prefix sum starts[d] is where d begins.
    const starts = state.counts[level] as Uint32Array;
    starts.fill(0);
    for (let i = start; i < end; i++) {
      const digit = ((keys[i] as number) >>> shift) & DIGIT_MASK;
      starts[digit + 1] = (starts[digit + 1] as number) + 1;
    }
    // One shared digit (common with small test fingerprints): nothing to move.
    if (starts.indexOf(end - start) !== -1) {
      level++;
      continue;
    }
    for (let digit = 0; digit < DIGIT_VALUES; digit++) {
      starts[digit + 1] = (starts[digit + 1] as number) + (starts[digit] as number);
    }
    scatter(state, keys, shift, start, end, starts);
    for (let digit = 0; digit < DIGIT_VALUES; digit++) {
      const from = start + (starts[digit] as number);
      const to = start + (starts[digit + 1] as number);
      if (to - from > 1) sortRange(state, from, to, level + 1);
    }
    return;
  }
}

/** Moves [start, end) into digit order via the scratch arrays. */
function scatter(
  state: SortState,
  keys: Uint32Array,
  shift: number,
  start: number,
  end: number,
  starts: Uint32Array,
): void {
  const { hi, lo, order, scratchHi, scratchLo, scratchOrder, next } = state;
  next.set(starts.subarray(0, DIGIT_VALUES));
  for (let i = start; i < end; i++) {
    const digit = ((keys[i] as number) >>> shift) & DIGIT_MASK;
    const at = start + (next[digit] as number);
    next[digit] = (next[digit] as number) + 1;
    scratchHi[at] = hi[i] as number;
    scratchLo[at] = lo[i] as number;
    scratchOrder[at] = order[i] as number;
  }
  hi.set(scratchHi.subarray(start, end), start);
  lo.set(scratchLo.subarray(start, end), start);
  order.set(scratchOrder.subarray(start, end), start);
}

function insertionSort(hi: Uint32Array, lo: Uint32Array, order: Uint32Array, start: number, end: number): void {
  for (let i = start + 1; i < end; i++) {
    const h = hi[i] as number;
    const l = lo[i] as number;
    const o = order[i] as number;
    let j = i - 1;
    while (j >= start && compareFingerprints(hi[j] as number, lo[j] as number, h, l) > 0) {
      hi[j + 1] = hi[j] as number;
      lo[j + 1] = lo[j] as number;
      order[j + 1] = order[j] as number;
      j--;
    }
    hi[j + 1] = h;
    lo[j + 1] = l;
    order[j + 1] = o;
  }
}

/** Three-way comparison of two fingerprints given as (high, low) halves. */
export function compareFingerprints(hiA: number, loA: number, hiB: number, loB: number): number {
  if (hiA !== hiB) return hiA < hiB ? -1 : 1;
  if (loA !== loB) return loA < loB ? -1 : 1;
  return 0;
}
