/**
 * Token buckets keyed by endpoint family and client id, on an injected clock so that tests can
 * move time instead of sleeping.
 */

export type ThrottleResult = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Continuous-refill token bucket: `ratePerSecond` tokens/s up to `capacity`, starting full. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Takes one token, or returns the ms until one is available. */
  take(now: number): number {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
      this.last = now;
    }
    // Tolerate float noise so that exactly 1/rate seconds later a token is there.
    if (this.tokens >= 1 - 1e-9) {
      this.tokens = Math.max(0, this.tokens - 1);
      return 0;
    }
    return ((1 - this.tokens) * 1000) / this.ratePerSecond;
  }
}

export class Throttle {
  private buckets = new Map<string, TokenBucket>();

  constructor(private readonly clock: () => number) {}

  /**
   * Admits or rejects one request of `family` for `clientId`. A rate of 0 or Infinity means
   * unlimited; `burst` 0 means "same as the rate" (at least 1).
   */
  check(family: string, clientId: string, tps: number, burst: number): ThrottleResult {
    if (!(tps > 0) || tps === Infinity) return { ok: true };
    const key = `${family}\n${clientId}`;
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (!bucket) this.buckets.set(key, (bucket = new TokenBucket(tps, Math.max(1, burst > 0 ? burst : tps), now)));
    const waitMs = bucket.take(now);
    // Retry-After is whole seconds and never 0, so a client that honours it cannot spin.
    return waitMs === 0 ? { ok: true } : { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  reset(): void {
    this.buckets.clear();
  }
}
