/**
 * Virtual time for tests: `sleep` never waits on the wall clock. Whenever the
 * event loop has run all pending promise callbacks, the earliest sleeper is
 * woken and time jumps to its deadline, so "wait 60 s" takes ~0 ms.
 */
import type { Clock } from "../../provider/client/clock";
import { mulberry32 as seededRandom } from "../../provider/util/seeded-random";

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

export class FakeClock implements Clock {
  /** Every requested sleep, in ms, in call order. */
  readonly sleeps: number[] = [];
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];
  #wakeScheduled = false;
  readonly #random: () => number;

  constructor(options: { startMs?: number; random?: () => number } = {}) {
    this.#now = options.startMs ?? Date.UTC(2025, 0, 1);
    this.#random = options.random ?? seededRandom(42);
  }

  now(): number {
    return this.#now;
  }

  random(): number {
    return this.#random();
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise<void>((resolve) => {
      this.#timers.push({ at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve });
      this.#scheduleWake();
    });
  }

  /** Moves time forward without waking anyone early (sleepers still wake in order). */
  advance(ms: number): void {
    this.#now += ms;
  }

  #scheduleWake(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      this.#wakeEarliest();
    });
  }

  #wakeEarliest(): void {
    if (this.#timers.length === 0) return;
    this.#timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const next = this.#timers.shift();
    if (next === undefined) return;
    this.#now = Math.max(this.#now, next.at);
    next.resolve();
    if (this.#timers.length > 0) this.#scheduleWake();
  }
}

/** Small deterministic PRNG (mulberry32) for reproducible jitter. */
export { seededRandom };

/** A random source that returns the given values in turn (then repeats the last). */
export function scriptedRandom(...values: number[]): () => number {
  let index = 0;
  return () => values[Math.min(index++, values.length - 1)] ?? 0;
}
