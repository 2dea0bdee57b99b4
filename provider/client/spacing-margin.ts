/**
 * The adaptive spacing margin of one lane: extra ms added to every request interval so that
 * timer, event-loop and network jitter cannot make two requests arrive closer than the server
 * allows. A fixed margin either costs throughput on every request (100 ms is 10 % of a 1 req/s
 * lane) or lets a loaded machine meet 429s; so the margin starts small, widens when the server
 * answers 429 and narrows slowly while it accepts requests, in the spirit of the adaptive rate
 * limiters of AWS SDKs (smithy-typescript's `DefaultRateLimiter` hears every response).
 */
import type { Clock } from "./clock";

/** Bounds and steps of a {@link SpacingMargin}, in ms. */
export interface SpacingMarginSettings {
  /** Starting and lowest margin. */
  floorMs: number;
  /** Highest margin, however many 429s. */
  capMs: number;
  /** Least widening on a 429 (the margin at least doubles). */
  widenMs: number;
  /** Narrowing per accepted request. */
  narrowMs: number;
}

export class SpacingMargin {
  readonly #settings: Readonly<SpacingMarginSettings>;
  readonly #clock: Clock;
  #marginMs: number;
  #lastWidenedAtMs = Number.NEGATIVE_INFINITY;

  constructor(settings: SpacingMarginSettings, clock: Clock) {
    this.#settings = Object.freeze({ ...settings });
    this.#clock = clock;
    this.#marginMs = settings.floorMs;
  }

  /** The current margin, in ms. */
  get ms(): number {
    return this.#marginMs;
  }

  /**
   * Hears the server's answer to one request: a 429 widens the margin, any other answer below 500
   * narrows it (5xx and network failures say nothing about the rate, so they change nothing).
   * `quietMs`: 429s within this long of the last widening are the same burst (requests already in
   * flight at the old spacing) and widen once.
   */
  noteStatus(status: number, quietMs: number): void {
    const { floorMs, capMs, widenMs, narrowMs } = this.#settings;
    if (status === 429) {
      const now = this.#clock.now();
      if (now - this.#lastWidenedAtMs < quietMs) return;
      this.#lastWidenedAtMs = now;
      this.#marginMs = Math.min(capMs, Math.max(this.#marginMs * 2, this.#marginMs + widenMs));
    } else if (status < 500) {
      this.#marginMs = Math.max(floorMs, this.#marginMs - narrowMs);
    }
  }
}
