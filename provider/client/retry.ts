/**
 * Retries in four parts: `classifyError` sorts a failure, `backoffDelayMs`
 * spaces attempts with full jitter, `RetryBudget` stops a storm from turning
 * into a retry flood, and `withRetries` is the short loop joining them.
 * Everything but the loop is pure.
 */
import type { Clock } from "./clock";
import {
  DspAuthError,
  DspCreateMayHaveSucceededError,
  DspError,
  DspHttpError,
  DspNetworkError,
  DspRateLimitError,
  DspRetryBudgetExhaustedError,
  DspTimeoutError,
} from "./errors";

/**
 * - THROTTLED: 429, rejected before processing; retry after `Retry-After`.
 * - TRANSIENT: 5xx, 408, connection refused/reset/dropped, timeouts; retry with backoff.
 * - CLIENT: any other 4xx; the request itself is wrong, never retried.
 * - FATAL: authentication failures, exhausted retries, a network failure marked not retryable
 *   (connection refused at the token step), programming errors; never retried.
 */
export type ErrorClass = "THROTTLED" | "TRANSIENT" | "CLIENT" | "FATAL";

export function classifyError(error: unknown): ErrorClass {
  if (error instanceof DspRateLimitError) return "THROTTLED";
  if (error instanceof DspNetworkError) return error.retryable ? "TRANSIENT" : "FATAL";
  if (error instanceof DspHttpError) {
    if (error.status === 429) return "THROTTLED";
    if (error.status >= 500 || error.status === 408) return "TRANSIENT";
    if (error.status >= 400) return "CLIENT";
  }
  return "FATAL";
}

/**
 * Whether a failed attempt may have been applied by the server. Only an answer that refuses the
 * request proves it was not: a 429 (rejected before processing), a 401/403 or another 4xx (but
 * 408), a connection that failed before any byte was sent, or a failure in an earlier step (the
 * token endpoint, say). A 5xx, a timeout or a dropped connection may come after processing.
 */
export function mayHaveBeenApplied(error: unknown, operation: string): boolean {
  if (!(error instanceof DspError)) return true;
  // The error a request ended with knows what all its attempts did (see withRetries).
  if (error.anyAttemptMayHaveBeenApplied !== undefined) return error.anyAttemptMayHaveBeenApplied;
  if (error.operation !== operation) return false;
  if (error instanceof DspRateLimitError || error instanceof DspAuthError) return false;
  if (error instanceof DspNetworkError) return error.requestMayHaveBeenSent;
  if (error instanceof DspHttpError) return error.status >= 500 || error.status === 408 || error.status < 400;
  return true;
}

/** Retry tuning. All delays in ms. */
export interface RetryPolicy {
  /**
   * Attempts per request, the first one included.
   * @default 8
   */
  maxAttempts: number;
  /**
   * Backoff base `b` in `random × min(b·2^n, cap)`, in ms.
   * @default 250
   */
  baseDelayMs: number;
  /**
   * Backoff cap, in ms.
   * @default 20000
   */
  maxDelayMs: number;
  /**
   * Longest `Retry-After` honoured, in ms; longer hints are clamped to it.
   * @default 60000
   */
  maxRetryAfterMs: number;
  /**
   * Retry credits a client starts with (and can hold at most).
   * @default 500
   */
  budgetCapacity: number;
  /**
   * Credits one retry costs.
   * @default 5
   */
  retryCost: number;
  /**
   * Credits one retry after a timeout costs (timeouts are expensive for both sides).
   * @default 10
   */
  timeoutRetryCost: number;
  /**
   * Credits returned by each successful request.
   * @default 1
   */
  successRefill: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 20_000,
  maxRetryAfterMs: 60_000,
  budgetCapacity: 500,
  retryCost: 5,
  timeoutRetryCost: 10,
  successRefill: 1,
});

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof RetryPolicy, number | undefined]>) {
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`retry.${key} must be a finite number ≥ 0`);
    policy[key] = value;
  }
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new RangeError("retry.maxAttempts must be an integer ≥ 1");
  return policy;
}

/**
 * Full-jitter exponential backoff: `r × min(b·2^n, cap)` with `n` the retry
 * index (0 for the first retry) and `r` uniform in [0, 1).
 */
export function backoffDelayMs(retryIndex: number, random: number, baseDelayMs: number, maxDelayMs: number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** retryIndex);
  return random * ceiling;
}

const DELTA_SECONDS = /^\s*(\d+(?:\.\d+)?)\s*$/;
// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") and RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT").
const GMT_DATE = /^\s*[A-Za-z]{3,9}, \d{2}[ -][A-Za-z]{3}[ -]\d{2,4} \d{2}:\d{2}:\d{2} GMT\s*$/;
// asctime ("Sun Nov  6 08:49:37 1994"), always UTC.
const ASCTIME_DATE = /^\s*[A-Za-z]{3} ([A-Za-z]{3}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\s*$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `Retry-After` as a wait in ms from `nowMs`: delta-seconds or an HTTP-date
 * (a date in the past means 0). `undefined` when absent or unparseable, so the
 * caller falls back to backoff.
 */
export function parseRetryAfterMs(header: string | undefined, nowMs: number): number | undefined {
  if (header === undefined) return undefined;
  const seconds = DELTA_SECONDS.exec(header);
  if (seconds?.[1] !== undefined) return Math.round(Number(seconds[1]) * 1000);
  const dateMs = parseHttpDate(header);
  return dateMs === undefined ? undefined : Math.max(0, dateMs - nowMs);
}

function parseHttpDate(text: string): number | undefined {
  if (GMT_DATE.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const asctime = ASCTIME_DATE.exec(text);
  if (asctime === null) return undefined;
  const [, month, day, hours, minutes, seconds, year] = asctime;
  const monthIndex = MONTHS.indexOf(month ?? "");
  if (monthIndex < 0) return undefined;
  return Date.UTC(Number(year), monthIndex, Number(day), Number(hours), Number(minutes), Number(seconds));
}

/**
 * Wait before the next attempt: the server's `Retry-After` wins, clamped to
 * `maxRetryAfterMs`; without one, jittered backoff.
 */
export function retryDelayMs(error: unknown, retryIndex: number, random: number, policy: RetryPolicy): number {
  const hint = error instanceof DspError ? error.retryAfterMs : undefined;
  if (hint !== undefined) return Math.min(Math.max(0, hint), policy.maxRetryAfterMs);
  return backoffDelayMs(retryIndex, random, policy.baseDelayMs, policy.maxDelayMs);
}

/**
 * Retry credits shared by all requests of one client: each retry withdraws,
 * each success refills a little. When most requests fail, credits run out and
 * retrying stops instead of multiplying load on a struggling server.
 */
export class RetryBudget {
  readonly capacity: number;
  #available: number;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#available = capacity;
  }

  get available(): number {
    return this.#available;
  }

  tryWithdraw(cost: number): boolean {
    if (this.#available < cost) return false;
    this.#available -= cost;
    return true;
  }

  refill(credits: number): void {
    this.#available = Math.min(this.capacity, this.#available + credits);
  }
}

/** What to do after a failed attempt. */
export type RetryDecision =
  | { retry: true; reason: ErrorClass; delayMs: number; cost: number }
  | { retry: false; error: unknown };

/** Facts about a failed attempt, for `decideRetry`. */
export interface FailedAttempt {
  error: unknown;
  /** Index of the attempt that failed (0 = first). */
  attempt: number;
  operation: string;
  /** Set when the request creates something and must not be repeated once it may have been processed. */
  nonIdempotentCreate?: { externalAudienceId: string };
  budgetAvailable: number;
  /** Uniform random number in [0, 1) for jitter. */
  random: number;
}

/** Pure retry rule: retry, with which delay and cost, or give up with which error. */
export function decideRetry(failure: FailedAttempt, policy: RetryPolicy): RetryDecision {
  const { error, attempt } = failure;
  const reason = classifyError(error);
  if (reason === "CLIENT" || reason === "FATAL" || !(error instanceof DspError)) return { retry: false, error };
  if (failure.nonIdempotentCreate !== undefined && mayHaveBeenApplied(error, failure.operation)) {
    return { retry: false, error: new DspCreateMayHaveSucceededError(error, failure.nonIdempotentCreate.externalAudienceId) };
  }
  const attemptsMade = attempt + 1;
  if (attemptsMade >= policy.maxAttempts) {
    return { retry: false, error: new DspRetryBudgetExhaustedError(error, attemptsMade, "max-attempts") };
  }
  const cost = error instanceof DspTimeoutError ? policy.timeoutRetryCost : policy.retryCost;
  if (failure.budgetAvailable < cost) {
    return { retry: false, error: new DspRetryBudgetExhaustedError(error, attemptsMade, "retry-budget") };
  }
  return { retry: true, reason, delayMs: retryDelayMs(error, attempt, failure.random, policy), cost };
}

/** Hooks and context for `withRetries`. */
export interface RetryLoopContext {
  operation: string;
  policy: RetryPolicy;
  budget: RetryBudget;
  clock: Clock;
  nonIdempotentCreate?: { externalAudienceId: string };
  /**
   * Called with each failure before the retry rules. Returning true repeats
   * the attempt at once without counting it (the single replay after a 401
   * with a refreshed token).
   */
  replayAtOnce?: (error: unknown) => boolean;
  /** Called before each retry wait (for events, and to pause a lane on 429). */
  onRetry?: (info: { error: unknown; attempt: number; reason: ErrorClass | "UNAUTHORIZED"; delayMs: number }) => void;
}

/**
 * Runs `attemptOnce` until it succeeds or the retry rules give up; rethrows the final error. A
 * DspError it gives up with carries `anyAttemptMayHaveBeenApplied`: the last answer alone (a 429
 * after a 5xx, say) does not tell what the earlier attempts did.
 */
export async function withRetries<T>(attemptOnce: (attempt: number) => Promise<T>, context: RetryLoopContext): Promise<T> {
  const { policy, budget, clock } = context;
  let applied = false;
  for (let attempt = 0; ; ) {
    try {
      const result = await attemptOnce(attempt);
      budget.refill(policy.successRefill);
      return result;
    } catch (error) {
      if (context.replayAtOnce?.(error) === true) {
        context.onRetry?.({ error, attempt, reason: "UNAUTHORIZED", delayMs: 0 });
        continue;
      }
      const failure: FailedAttempt = {
        error,
        attempt,
        operation: context.operation,
        budgetAvailable: budget.available,
        random: clock.random(),
      };
      if (context.nonIdempotentCreate !== undefined) failure.nonIdempotentCreate = context.nonIdempotentCreate;
      applied ||= mayHaveBeenApplied(error, context.operation);
      const decision = decideRetry(failure, policy);
      if (!decision.retry) {
        if (decision.error instanceof DspError) decision.error.anyAttemptMayHaveBeenApplied = applied;
        throw decision.error;
      }
      budget.tryWithdraw(decision.cost);
      context.onRetry?.({ error, attempt, reason: decision.reason, delayMs: decision.delayMs });
      await clock.sleep(decision.delayMs);
      attempt++;
    }
  }
}
