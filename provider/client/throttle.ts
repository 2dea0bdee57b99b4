/**
 * Client-side throttling: one lane per API rate-limit group, each with a token
 * bucket (request rate) and a concurrency limit (requests in flight). Lanes
 * belong to a client instance, never to the module, so two clients (two
 * accounts, or tests) never share limits by accident.
 */
import type { Clock } from "./clock";

/** Rate-limit groups of the DP API (docs/amazon-api.md#endpoints). */
export type LaneName = "metadata" | "users" | "audienceMembership" | "hashedRecords";

export const LANE_NAMES: readonly LaneName[] = ["metadata", "users", "audienceMembership", "hashedRecords"];

/** Limits of one lane. Defaults differ per lane: see `DEFAULT_LANE_LIMITS`. */
export interface LaneLimits {
  /** Sustained request rate, in requests per second. @default 1 (metadata, users), 100 (audienceMembership), 5 (hashedRecords) */
  ratePerSecond: number;
  /** Requests that may start back to back before spacing applies (bucket capacity). @default 1 */
  burst: number;
  /** Requests in flight at once. @default 2 (metadata, users), 32 (audienceMembership), 5 (hashedRecords) */
  maxConcurrency: number;
  /**
   * Extra spacing added to every interval, in ms, so that timer, event-loop
   * and network jitter cannot make two requests arrive closer than the server
   * allows. Matters for the strict 1 req/s lanes (100 ms costs 9 % of a lane
   * whose calls are rare); the patch lane has none and relies on retries.
   * @default 100 (metadata, users), 0 (audienceMembership), 20 (hashedRecords)
   */
  spacingMarginMs: number;
}

export type LaneLimitsByName = Record<LaneName, LaneLimits>;

/**
 * Defaults. Rates are Amazon's documented TPS; hashed records have no
 * documented limit, so 5 req/s is a conservative guess. Patch concurrency must
 * cover rate × latency: 32 in flight sustains 100 req/s up to 320 ms per request.
 */
export const DEFAULT_LANE_LIMITS: Readonly<LaneLimitsByName> = Object.freeze({
  metadata: { ratePerSecond: 1, burst: 1, maxConcurrency: 2, spacingMarginMs: 100 },
  users: { ratePerSecond: 1, burst: 1, maxConcurrency: 2, spacingMarginMs: 100 },
  audienceMembership: { ratePerSecond: 100, burst: 1, maxConcurrency: 32, spacingMarginMs: 0 },
  hashedRecords: { ratePerSecond: 5, burst: 1, maxConcurrency: 5, spacingMarginMs: 20 },
});

/** Merges partial per-lane overrides over the defaults and validates them. */
export function resolveLaneLimits(overrides: Partial<Record<LaneName, Partial<LaneLimits>>> = {}): LaneLimitsByName {
  const resolved = {} as LaneLimitsByName;
  for (const lane of LANE_NAMES) {
    const limits = { ...DEFAULT_LANE_LIMITS[lane], ...stripUndefined(overrides[lane] ?? {}) };
    if (!(limits.ratePerSecond > 0) || !Number.isFinite(limits.ratePerSecond)) {
      throw new RangeError(`throttle.${lane}.ratePerSecond must be a positive number`);
    }
    if (!Number.isInteger(limits.burst) || limits.burst < 1) throw new RangeError(`throttle.${lane}.burst must be an integer ≥ 1`);
    if (!Number.isInteger(limits.maxConcurrency) || limits.maxConcurrency < 1) {
      throw new RangeError(`throttle.${lane}.maxConcurrency must be an integer ≥ 1`);
    }
    if (!(limits.spacingMarginMs >= 0) || !Number.isFinite(limits.spacingMarginMs)) {
      throw new RangeError(`throttle.${lane}.spacingMarginMs must be a number ≥ 0`);
    }
    resolved[lane] = limits;
  }
  return resolved;
}

/**
 * Token bucket in its "virtual scheduling" form (GCRA): each caller reserves
 * the next free start time synchronously, so concurrent callers are spaced
 * exactly, in arrival order, without a timer loop.
 *
 * Timers wake late now and then; callers whose reserved slots have passed
 * would then start together. A second guard counts actual starts: at most
 * `windowCount` in any `windowCount × interval` ms (100 per second at
 * 100 req/s, 1 per 1025 ms at 1 req/s with a 25 ms margin), so a late timer
 * delays requests instead of bunching them.
 */
export class TokenBucket {
  readonly #intervalMs: number;
  readonly #burstToleranceMs: number;
  readonly #clock: Clock;
  #theoreticalArrivalMs = Number.NEGATIVE_INFINITY;
  #heldUntilMs = Number.NEGATIVE_INFINITY;
  readonly #windowMs: number;
  /** Ring of the most recent actual start times; `#oldest` indexes the oldest. */
  readonly #recentStarts: number[];
  #oldest = 0;

  constructor(ratePerSecond: number, burst: number, clock: Clock, spacingMarginMs = 0) {
    this.#intervalMs = 1000 / ratePerSecond + spacingMarginMs;
    this.#burstToleranceMs = (burst - 1) * this.#intervalMs;
    this.#clock = clock;
    const windowCount = Math.max(burst, Math.ceil(ratePerSecond));
    this.#windowMs = windowCount * this.#intervalMs;
    this.#recentStarts = new Array<number>(windowCount).fill(Number.NEGATIVE_INFINITY);
  }

  /** Reserves a start time at or after `nowMs` and returns it (no waiting). */
  reserve(nowMs: number): number {
    const arrival = Math.max(this.#theoreticalArrivalMs, nowMs, this.#heldUntilMs);
    const startAt = Math.max(nowMs, arrival - this.#burstToleranceMs, this.#heldUntilMs);
    this.#theoreticalArrivalMs = arrival + this.#intervalMs;
    return startAt;
  }

  /** Waits for the next slot; resolves with the time waited, in ms. */
  async take(): Promise<number> {
    const startedAt = this.#clock.now();
    const reservedAt = this.reserve(startedAt);
    for (;;) {
      const now = this.#clock.now();
      // A hold (server said 429) may have arrived while we slept.
      const readyAt = Math.max(reservedAt, this.#heldUntilMs, (this.#recentStarts[this.#oldest] ?? Number.NEGATIVE_INFINITY) + this.#windowMs);
      if (now >= readyAt) {
        this.#recentStarts[this.#oldest] = now;
        this.#oldest = (this.#oldest + 1) % this.#recentStarts.length;
        return now - startedAt;
      }
      await this.#clock.sleep(readyAt - now);
    }
  }

  /** Lets no request start before `untilMs` (epoch ms), e.g. after a 429 with `Retry-After`. */
  holdUntil(untilMs: number): void {
    this.#heldUntilMs = Math.max(this.#heldUntilMs, untilMs);
  }
}

/** Counting semaphore with a FIFO queue. */
export class ConcurrencyLimiter {
  readonly #max: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(maxConcurrency: number) {
    this.#max = maxConcurrency;
  }

  get active(): number {
    return this.#active;
  }

  async acquire(): Promise<void> {
    if (this.#active < this.#max) {
      this.#active++;
      return;
    }
    // The releasing caller hands its slot over directly, so #active stays put.
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next !== undefined) next();
    else this.#active--;
  }
}

/** Optional hooks of `Lane.run`. */
export interface LaneRunHooks {
  /**
   * Runs after the concurrency slot is taken and before the rate slot, for
   * slow preparation (fetching an access token) that must not eat into the
   * spacing between requests.
   */
  beforeRateSlot?: () => Promise<void>;
  /** Hears how long the call queued, in ms (only when it did). */
  onWait?: (waitedMs: number) => void;
}

/** One rate-limit group: a concurrency slot first, then a rate token, then the call. */
export class Lane {
  readonly name: LaneName;
  readonly limits: Readonly<LaneLimits>;
  readonly #bucket: TokenBucket;
  readonly #inFlight: ConcurrencyLimiter;
  readonly #clock: Clock;

  constructor(name: LaneName, limits: LaneLimits, clock: Clock) {
    this.name = name;
    this.limits = Object.freeze({ ...limits });
    this.#bucket = new TokenBucket(limits.ratePerSecond, limits.burst, clock, limits.spacingMarginMs);
    this.#inFlight = new ConcurrencyLimiter(limits.maxConcurrency);
    this.#clock = clock;
  }

  /** Runs `call` once the lane allows it. */
  async run<T>(call: () => Promise<T>, hooks: LaneRunHooks = {}): Promise<T> {
    const queuedAt = this.#clock.now();
    await this.#inFlight.acquire();
    try {
      const concurrencyWaitMs = this.#clock.now() - queuedAt;
      if (hooks.beforeRateSlot !== undefined) await hooks.beforeRateSlot();
      const waitedMs = concurrencyWaitMs + (await this.#bucket.take());
      if (waitedMs > 0) hooks.onWait?.(waitedMs);
      return await call();
    } finally {
      this.#inFlight.release();
    }
  }

  /** Pauses the whole lane until `untilMs` (epoch ms): the server is throttling every caller. */
  holdUntil(untilMs: number): void {
    this.#bucket.holdUntil(untilMs);
  }
}

/** Builds the four lanes of one client instance. */
export function createLanes(limits: LaneLimitsByName, clock: Clock): Record<LaneName, Lane> {
  return {
    metadata: new Lane("metadata", limits.metadata, clock),
    users: new Lane("users", limits.users, clock),
    audienceMembership: new Lane("audienceMembership", limits.audienceMembership, clock),
    hashedRecords: new Lane("hashedRecords", limits.hashedRecords, clock),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
