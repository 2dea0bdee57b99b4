/**
 * Time and randomness, injected so that throttling and retry logic can be
 * tested with a fake clock ("wait 60 s" takes 0 ms in a test).
 */
export interface Clock {
  /** Current time in epoch milliseconds (also used to evaluate HTTP-date `Retry-After`). */
  now(): number;
  /** Resolves after `ms` milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Uniform random number in [0, 1); the only source of jitter. */
  random(): number;
}

/** The real clock: `Date.now`, `setTimeout` and `Math.random`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) =>
    ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};
