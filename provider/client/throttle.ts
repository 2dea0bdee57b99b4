/**
 * Client-side throttling: one lane per API rate-limit group, each with a token
 * bucket (request rate) and a concurrency limit (requests in flight). Lanes
 * belong to a client instance, never to the module, so two clients (two
 * accounts, or tests) never share limits by accident.
 */
import type { Clock } from "./clock";
import { SpacingMargin } from "./spacing-margin";

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
   * allows: the starting and lowest margin. The margin adapts
   * (provider/client/spacing-margin.ts): each 429 at least doubles it (up to
   * `maxSpacingMarginMs`), each accepted request narrows it by
   * `spacingMarginNarrowMs`. The patch lane has none and relies on retries.
   * @default 15 (metadata, users), 0 (audienceMembership), 10 (hashedRecords)
   */
  spacingMarginMs: number;
  /** Highest margin the 429s may widen it to, in ms. @default 400 (metadata, users), 0 (audienceMembership), 100 (hashedRecords); never below `spacingMarginMs` */
  maxSpacingMarginMs?: number;
  /** Least widening of the margin on a 429, in ms (the margin at least doubles). @default 50 (metadata, users), 0 (audienceMembership), 20 (hashedRecords) */
  spacingMarginWidenMs?: number;
  /** Narrowing of the margin per accepted request, in ms. @default 1 */
  spacingMarginNarrowMs?: number;
}

export type LaneLimitsByName = Record<LaneName, LaneLimits>;

/**
 * Margins of the 1 req/s lanes: 15 ms covers timer and loopback jitter on an idle machine; a
 * loaded one (a fixed 50 ms met a 429 at load 13) widens it to what it needs, at most 400 ms.
 */
const ONE_PER_SECOND_MARGIN = { spacingMarginMs: 15, maxSpacingMarginMs: 400, spacingMarginWidenMs: 50, spacingMarginNarrowMs: 1 } as const;

/**
 * Defaults. Rates are Amazon's documented TPS; hashed records have no
 * documented limit, so 5 req/s is a conservative guess. Patch concurrency must
 * cover rate × latency: 32 in flight sustains 100 req/s up to 320 ms per request.
 */
export const DEFAULT_LANE_LIMITS: Readonly<LaneLimitsByName> = Object.freeze({
  metadata: { ratePerSecond: 1, burst: 1, maxConcurrency: 2, ...ONE_PER_SECOND_MARGIN },
  users: { ratePerSecond: 1, burst: 1, maxConcurrency: 2, ...ONE_PER_SECOND_MARGIN },
  audienceMembership: { ratePerSecond: 100, burst: 1, maxConcurrency: 32, spacingMarginMs: 0, maxSpacingMarginMs: 0, spacingMarginWidenMs: 0, spacingMarginNarrowMs: 1 },
  hashedRecords: { ratePerSecond: 5, burst: 1, maxConcurrency: 5, spacingMarginMs: 10, maxSpacingMarginMs: 100, spacingMarginWidenMs: 20, spacingMarginNarrowMs: 1 },
});

/** Merges partial per-lane overrides over the defaults and validates them. */
export function resolveLaneLimits(overrides: Partial<Record<LaneName, Partial<LaneLimits>>> = {}): LaneLimitsByName {
  const resolved = {} as LaneLimitsByName;
  for (const lane of LANE_NAMES) {
    const override = stripUndefined(overrides[lane] ?? {});
    const limits = { ...DEFAULT_LANE_LIMITS[lane], ...override };
    // A raised starting margin lifts the default cap with it; an explicit cap below it is an error.
    if (override.maxSpacingMarginMs === undefined) limits.maxSpacingMarginMs = Math.max(limits.maxSpacingMarginMs ?? 0, limits.spacingMarginMs);
    if (!(limits.ratePerSecond > 0) || !Number.isFinite(limits.ratePerSecond)) {
      throw new RangeError(`throttle.${lane}.ratePerSecond must be a positive number`);
    }
    if (!Number.isInteger(limits.burst) || limits.burst < 1) throw new RangeError(`throttle.${lane}.burst must be an integer ≥ 1`);
    if (!Number.isInteger(limits.maxConcurrency) || limits.maxConcurrency < 1) {
      throw new RangeError(`throttle.${lane}.maxConcurrency must be an integer ≥ 1`);
    }
    for (const key of ["spacingMarginMs", "maxSpacingMarginMs", "spacingMarginWidenMs", "spacingMarginNarrowMs"] as const) {
      const value = limits[key];
      if (!(value !== undefined && value >= 0) || !Number.isFinite(value)) throw new RangeError(`throttle.${lane}.${key} must be a number ≥ 0`);
    }
    if ((limits.maxSpacingMarginMs ?? 0) < limits.spacingMarginMs) {
      throw new RangeError(`throttle.${lane}.maxSpacingMarginMs must be at least spacingMarginMs`);
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
 * 100 req/s, 1 per 1015 ms at 1 req/s with a 15 ms margin), so a late timer
 * delays requests instead of bunching them.
 *
 * The interval is `1000 / rate` plus the current margin, a number or an
 * adaptive {@link SpacingMargin}; a changed margin applies from the next
 * reservation on.
 */
export class TokenBucket {
  readonly #baseIntervalMs: number;
  readonly #burst: number;
  readonly #margin: () => number;
  readonly #clock: Clock;
  #theoreticalArrivalMs = Number.NEGATIVE_INFINITY;
  #heldUntilMs = Number.NEGATIVE_INFINITY;
  /** Ring of the most recent actual start times; `#oldest` indexes the oldest. */
  readonly #recentStarts: number[];
  #oldest = 0;

  constructor(ratePerSecond: number, burst: number, clock: Clock, spacingMargin: number | SpacingMargin = 0) {
    this.#baseIntervalMs = 1000 / ratePerSecond;
    this.#burst = burst;
    this.#margin = typeof spacingMargin === "number" ? () => spacingMargin : () => spacingMargin.ms;
    this.#clock = clock;
    this.#recentStarts = new Array<number>(Math.max(burst, Math.ceil(ratePerSecond))).fill(Number.NEGATIVE_INFINITY);
  }

  /** Time between starts at the sustained rate, margin included, in ms. */
  get intervalMs(): number {
    return this.#baseIntervalMs + this.#margin();
  }

  /** Reserves a start time at or after `nowMs` and returns it (no waiting). */
  reserve(nowMs: number): number {
    const arrival = Math.max(this.#theoreticalArrivalMs, nowMs, this.#heldUntilMs);
    const intervalMs = this.intervalMs;
    const startAt = Math.max(nowMs, arrival - (this.#burst - 1) * intervalMs, this.#heldUntilMs);
    this.#theoreticalArrivalMs = arrival + intervalMs;
    return startAt;
  }

  /** Waits for the next slot; resolves with the time waited, in ms. */
  async take(): Promise<number> {
    const startedAt = this.#clock.now();
    const reservedAt = this.reserve(startedAt);
    for (;;) {
      const now = this.#clock.now();
      // A hold (server said 429) may have arrived while we slept.
      const readyAt = Math.max(reservedAt, this.#heldUntilMs, (this.#recentStarts[this.#oldest] ?? Number.NEGATIVE_INFINITY) + this.#recentStarts.length * this.intervalMs);
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
  readonly #margin: SpacingMargin;
  readonly #inFlight: ConcurrencyLimiter;
  readonly #clock: Clock;

  constructor(name: LaneName, limits: LaneLimits, clock: Clock) {
    this.name = name;
    this.limits = Object.freeze({ ...limits });
    this.#margin = new SpacingMargin(
      {
        floorMs: limits.spacingMarginMs,
        // Without a cap the margin stays fixed (lanes built from partial limits, in tests).
        capMs: Math.max(limits.spacingMarginMs, limits.maxSpacingMarginMs ?? limits.spacingMarginMs),
        widenMs: limits.spacingMarginWidenMs ?? 0,
        narrowMs: limits.spacingMarginNarrowMs ?? 0,
      },
      clock,
    );
    this.#bucket = new TokenBucket(limits.ratePerSecond, limits.burst, clock, this.#margin);
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

  /** The lane's current spacing margin, in ms (see {@link LaneLimits.spacingMarginMs}). */
  get spacingMarginMs(): number {
    return this.#margin.ms;
  }

  /** Hears the server's answer to a request of this lane: a 429 widens the spacing margin, an accepted request narrows it. */
  noteStatus(status: number): void {
    // 429s within one interval of a widening were sent at the old spacing: one burst, one widening.
    this.#margin.noteStatus(status, this.#bucket.intervalMs);
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
