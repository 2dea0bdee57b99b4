/**
 * Seeded cookie-ID files for the benchmarks that go through the Pulumi program: the same seed
 * writes the same IDs, so two runs of the bench plan the same sets. IDs are written straight
 * into Buffers (no string per ID), so generating 5,000,000 of them stays off the JS heap.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";

const COOKIE_CHARS = 22;
const LINE_BYTES = COOKIE_CHARS + 1;
const B64URL = Buffer.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", "latin1");
const LINES_PER_WRITE = 100_000;

/** What a churned file holds relative to the file it was churned from. */
export interface ChurnCounts {
  readonly kept: number;
  readonly removed: number;
  readonly added: number;
}

/** Options of {@link writeCookieIdFile}. */
export interface CookieIdFileOptions {
  /** Distinct IDs in the base set. */
  readonly count: number;
  /** Seed of the base set; the same seed writes the same IDs. */
  readonly seed: number;
  /**
   * Fraction of the base set left out (every round(1/churn)-th ID) and the same number of new IDs
   * appended, from a seed of their own. @default 0 (the base set as it is)
   */
  readonly churn?: number;
}

/**
 * Writes 22-character base64url cookie IDs, one per line, to `path`. 132 random bits per ID make
 * a collision among millions negligible, so the count written is the set's size.
 */
export async function writeCookieIdFile(path: string, options: CookieIdFileOptions): Promise<ChurnCounts> {
  const churn = options.churn ?? 0;
  const removeEvery = churn > 0 ? Math.max(1, Math.round(1 / churn)) : 0;
  const out = createWriteStream(path);
  const base = cookieIdLines(options.seed);
  let removed = 0;
  for (let first = 0; first < options.count; first += LINES_PER_WRITE) {
    const n = Math.min(LINES_PER_WRITE, options.count - first);
    const lines = base(n);
    let chunk = lines;
    if (removeEvery > 0) {
      chunk = Buffer.allocUnsafe(lines.length);
      let bytes = 0;
      for (let k = 0; k < n; k++) {
        if ((first + k) % removeEvery === 0) {
          removed++;
          continue;
        }
        lines.copy(chunk, bytes, k * LINE_BYTES, (k + 1) * LINE_BYTES);
        bytes += LINE_BYTES;
      }
      chunk = chunk.subarray(0, bytes);
    }
    if (!out.write(chunk)) await once(out, "drain");
  }
  // The added IDs come from another seed, so they are new to the base set.
  const fresh = cookieIdLines(options.seed ^ 0x5bd1e995);
  for (let written = 0; written < removed; written += LINES_PER_WRITE) {
    if (!out.write(fresh(Math.min(LINES_PER_WRITE, removed - written)))) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return { kept: options.count - removed, removed, added: removed };
}

/** A generator of `n` ID lines at a time, continuing one seeded sequence (mulberry32). */
function cookieIdLines(seed: number): (n: number) => Buffer {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return (n) => {
    const lines = Buffer.allocUnsafe(n * LINE_BYTES);
    for (let k = 0; k < n; k++) {
      const at = k * LINE_BYTES;
      // Five 6-bit characters per 32-bit draw.
      for (let c = 0; c < COOKIE_CHARS; c += 5) {
        let bits = next();
        for (let j = c; j < Math.min(c + 5, COOKIE_CHARS); j++, bits >>>= 6) lines[at + j] = B64URL[bits & 63] as number;
      }
      lines[at + COOKIE_CHARS] = 0x0a;
    }
    return lines;
  };
}
