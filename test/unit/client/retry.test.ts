import assert from "node:assert/strict";
import fc from "fast-check";
import {
  DspAuthError,
  DspCreateMayHaveSucceededError,
  DspError,
  DspHttpError,
  DspNetworkError,
  DspRateLimitError,
  DspRetryBudgetExhaustedError,
  DspTimeoutError,
} from "../../../provider/client/errors";
import {
  DEFAULT_RETRY_POLICY,
  RetryBudget,
  backoffDelayMs,
  classifyError,
  decideRetry,
  parseRetryAfterMs,
  resolveRetryPolicy,
  retryDelayMs,
  withRetries,
  type ErrorClass,
  type FailedAttempt,
} from "../../../provider/client/retry";
import { outcomeOfFailure } from "../../../provider/sync/send-outcome";
import { FakeClock, scriptedRandom } from "../../support/fake-clock";

const OP = "PATCH /v2/dp/audience";
const CREATE = "POST /v2/dp/audiencemetadata";
const http = (status: number, operation = OP): DspHttpError => new DspHttpError({ operation, status });
const network = (code: string, requestMayHaveBeenSent: boolean, operation = OP): DspNetworkError =>
  new DspNetworkError({ operation, code, requestMayHaveBeenSent });

describe("retry rules", () => {
  describe("classifyError", () => {
    const table: Array<[string, unknown, ErrorClass]> = [
      ["429", new DspRateLimitError({ operation: OP }), "THROTTLED"],
      ["500", http(500), "TRANSIENT"],
      ["502", http(502), "TRANSIENT"],
      ["503", http(503), "TRANSIENT"],
      ["504", http(504), "TRANSIENT"],
      ["505 (dependency timeout)", http(505), "TRANSIENT"],
      ["408", http(408), "TRANSIENT"],
      ["connection reset", network("ECONNRESET", true), "TRANSIENT"],
      ["connection refused", network("ECONNREFUSED", false), "TRANSIENT"],
      ["socket hang up / dropped", network("ECONNRESET", true), "TRANSIENT"],
      ["timeout", new DspTimeoutError({ operation: OP, timeoutMs: 1000 }), "TRANSIENT"],
      ["400", http(400), "CLIENT"],
      ["403", http(403), "CLIENT"],
      ["404", http(404), "CLIENT"],
      ["413", http(413), "CLIENT"],
      ["415", http(415), "CLIENT"],
      ["422", http(422), "CLIENT"],
      ["auth failure", new DspAuthError({ operation: OP, status: 401 }), "FATAL"],
      ["exhausted retries", new DspRetryBudgetExhaustedError(http(500), 8, "max-attempts"), "FATAL"],
      ["plain Error (a bug)", new TypeError("x is undefined"), "FATAL"],
      ["a string", "oops", "FATAL"],
    ];
    for (const [name, error, expected] of table) {
      it(`${name} → ${expected}`, () => assert.equal(classifyError(error), expected));
    }
  });

  describe("backoffDelayMs (full jitter)", () => {
    it("is random × min(base·2^n, cap)", () => {
      assert.equal(backoffDelayMs(0, 0.5, 250, 20_000), 125);
      assert.equal(backoffDelayMs(3, 1, 250, 20_000), 2000);
      assert.equal(backoffDelayMs(10, 1, 250, 20_000), 20_000);
      assert.equal(backoffDelayMs(2000, 0.999, 250, 20_000), 19_980); // 2^2000 overflows to Infinity, the cap still holds
      assert.equal(backoffDelayMs(5, 0, 250, 20_000), 0);
    });

    it("stays within [0, min(base·2^n, cap)) for any attempt and random", () => {
      fc.assert(
        fc.property(fc.nat(100), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retryIndex, random) => {
          const delay = backoffDelayMs(retryIndex, random, 250, 20_000);
          assert.ok(delay >= 0);
          assert.ok(delay < Math.min(250 * 2 ** retryIndex, 20_000) || delay === 0);
        }),
      );
    });
  });

  describe("parseRetryAfterMs", () => {
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    const cases: Array<[string | undefined, number | undefined]> = [
      ["1", 1000],
      ["0", 0],
      [" 120 ", 120_000],
      ["1.5", 1500],
      ["Wed, 01 Jan 2025 12:00:30 GMT", 30_000],
      ["Wednesday, 01-Jan-25 12:00:05 GMT", 5000],
      ["Wed Jan  1 12:00:10 2025", 10_000],
      ["Tue, 31 Dec 2024 23:59:59 GMT", 0], // in the past
      [undefined, undefined],
      ["", undefined],
      ["soon", undefined],
      ["-5", undefined],
      ["1e3", undefined],
      ["2025-01-01T12:00:30Z", undefined], // not an HTTP-date
      ["Wed, 99 Foo 2025 12:00:30 GMT", undefined],
    ];
    for (const [header, expected] of cases) {
      it(`${JSON.stringify(header)} → ${String(expected)}`, () => assert.equal(parseRetryAfterMs(header, now), expected));
    }
  });

  describe("retryDelayMs", () => {
    const policy = DEFAULT_RETRY_POLICY;
    it("lets Retry-After win over backoff", () => {
      assert.equal(retryDelayMs(new DspRateLimitError({ operation: OP, retryAfterMs: 3000 }), 0, 0.1, policy), 3000);
    });
    it("clamps Retry-After to maxRetryAfterMs", () => {
      assert.equal(retryDelayMs(new DspRateLimitError({ operation: OP, retryAfterMs: 3_600_000 }), 0, 0.1, policy), 60_000);
    });
    it("falls back to backoff without a hint", () => {
      assert.equal(retryDelayMs(new DspRateLimitError({ operation: OP }), 2, 0.5, policy), 500);
    });
  });

  describe("decideRetry", () => {
    const policy = resolveRetryPolicy({ maxAttempts: 4 });
    const failure = (error: unknown, extra: Partial<FailedAttempt> = {}): FailedAttempt => ({
      error,
      attempt: 0,
      operation: OP,
      budgetAvailable: 500,
      random: 0.5,
      ...extra,
    });

    it("never retries CLIENT errors", () => {
      const error = http(400);
      assert.deepEqual(decideRetry(failure(error), policy), { retry: false, error });
    });

    it("retries TRANSIENT with backoff and THROTTLED with Retry-After", () => {
      assert.deepEqual(decideRetry(failure(http(503), { attempt: 1 }), policy), { retry: true, reason: "TRANSIENT", delayMs: 250, cost: 5 });
      assert.deepEqual(decideRetry(failure(new DspRateLimitError({ operation: OP, retryAfterMs: 1000 })), policy), {
        retry: true,
        reason: "THROTTLED",
        delayMs: 1000,
        cost: 5,
      });
    });

    it("charges timeouts more", () => {
      const decision = decideRetry(failure(new DspTimeoutError({ operation: OP, timeoutMs: 1 })), policy);
      assert.equal(decision.retry && decision.cost, 10);
    });

    it("stops at maxAttempts with DspRetryBudgetExhaustedError", () => {
      const decision = decideRetry(failure(http(500), { attempt: 3 }), policy);
      assert.equal(decision.retry, false);
      const error = (decision as { error: unknown }).error;
      assert.ok(error instanceof DspRetryBudgetExhaustedError);
      assert.equal(error.reason, "max-attempts");
      assert.equal(error.attempts, 4);
    });

    it("stops when the budget cannot pay for the retry", () => {
      const decision = decideRetry(failure(http(500), { budgetAvailable: 4 }), policy);
      const error = (decision as { error: unknown }).error;
      assert.ok(error instanceof DspRetryBudgetExhaustedError);
      assert.equal(error.reason, "retry-budget");
    });

    describe("a create (not idempotent)", () => {
      const create = { operation: CREATE, nonIdempotentCreate: { externalAudienceId: "ext-1" } };
      const mayHaveSucceeded: Array<[string, unknown]> = [
        ["500", http(500, CREATE)],
        ["503", http(503, CREATE)],
        ["timeout", new DspTimeoutError({ operation: CREATE, timeoutMs: 1000 })],
        ["connection reset after send", network("ECONNRESET", true, CREATE)],
        ["dropped connection", network("EPIPE", true, CREATE)],
      ];
      for (const [name, error] of mayHaveSucceeded) {
        it(`is not retried after ${name}: DspCreateMayHaveSucceededError`, () => {
          const decision = decideRetry(failure(error, create), policy);
          assert.equal(decision.retry, false);
          const thrown = (decision as { error: unknown }).error;
          assert.ok(thrown instanceof DspCreateMayHaveSucceededError);
          assert.equal(thrown.cause, error);
          assert.equal(thrown.externalAudienceId, "ext-1");
        });
      }
      const safe: Array<[string, unknown]> = [
        ["429", new DspRateLimitError({ operation: CREATE, retryAfterMs: 1000 })],
        ["connection refused", network("ECONNREFUSED", false, CREATE)],
        ["a token endpoint outage (the create was never sent)", http(503, "POST /auth/o2/token")],
      ];
      for (const [name, error] of safe) {
        it(`is retried after ${name}`, () => assert.equal(decideRetry(failure(error, create), policy).retry, true));
      }
      it("still never retries a 400", () => {
        const error = http(400, CREATE);
        assert.deepEqual(decideRetry(failure(error, create), policy), { retry: false, error });
      });
    });
  });

  describe("RetryBudget", () => {
    it("drains per retry, refills on success, never above capacity", () => {
      const budget = new RetryBudget(10);
      assert.equal(budget.tryWithdraw(5), true);
      assert.equal(budget.tryWithdraw(5), true);
      assert.equal(budget.tryWithdraw(5), false);
      assert.equal(budget.available, 0);
      budget.refill(3);
      assert.equal(budget.available, 3);
      budget.refill(100);
      assert.equal(budget.available, 10);
    });
  });

  describe("withRetries", () => {
    it("retries until success, sleeping the decided delays (virtual time)", async () => {
      const clock = new FakeClock({ random: scriptedRandom(0.5) });
      const budget = new RetryBudget(500);
      const failures = [http(503), new DspRateLimitError({ operation: OP, retryAfterMs: 7000 })];
      let calls = 0;
      const result = await withRetries(
        async (attempt) => {
          assert.equal(attempt, calls);
          calls++;
          const failure = failures.shift();
          if (failure !== undefined) throw failure;
          return "ok";
        },
        { operation: OP, policy: DEFAULT_RETRY_POLICY, budget, clock },
      );
      assert.equal(result, "ok");
      assert.equal(calls, 3);
      assert.deepEqual(clock.sleeps, [125, 7000]);
      assert.equal(budget.available, 500 - 10 + 1);
    });

    it("ends a 429 storm with DspRetryBudgetExhaustedError once the shared budget is gone", async () => {
      const clock = new FakeClock({ random: scriptedRandom(0) });
      const policy = resolveRetryPolicy({ maxAttempts: 100, budgetCapacity: 50, retryCost: 5 });
      const budget = new RetryBudget(policy.budgetCapacity);
      let calls = 0;
      await assert.rejects(
        withRetries(
          async () => {
            calls++;
            throw new DspRateLimitError({ operation: OP, retryAfterMs: 1000 });
          },
          { operation: OP, policy, budget, clock },
        ),
        (error: unknown) => {
          assert.ok(error instanceof DspRetryBudgetExhaustedError);
          assert.equal(error.reason, "retry-budget");
          assert.ok(error.lastError instanceof DspRateLimitError);
          assert.match(error.message, /^PATCH \/v2\/dp\/audience: gave up after 11 attempts, client retry budget exhausted/);
          return true;
        },
      );
      assert.equal(calls, 11); // 10 retries × 5 credits = 50
      assert.equal(clock.now() - Date.UTC(2025, 0, 1), 10_000); // ten 1 s waits, in virtual time
    });

    it("replays once at once when asked (401 refresh), without charging the budget", async () => {
      const clock = new FakeClock();
      const budget = new RetryBudget(500);
      const reasons: string[] = [];
      let calls = 0;
      let replayed = false;
      const result = await withRetries(
        async () => {
          calls++;
          if (calls === 1) throw new DspAuthError({ operation: OP, status: 401 });
          return calls;
        },
        {
          operation: OP,
          policy: DEFAULT_RETRY_POLICY,
          budget,
          clock,
          replayAtOnce: () => !replayed && (replayed = true),
          onRetry: ({ reason }) => reasons.push(reason),
        },
      );
      assert.equal(result, 2);
      assert.deepEqual(reasons, ["UNAUTHORIZED"]);
      assert.deepEqual(clock.sleeps, []);
      assert.equal(budget.available, 500);
    });

    describe("the outcome of a request over all its attempts", () => {
      // Each attempt's failure, and whether that attempt may have been applied at Amazon.
      const palette: Array<[string, () => Error, boolean]> = [
        ["429", () => new DspRateLimitError({ operation: OP, retryAfterMs: 10 }), false],
        ["connection refused", () => network("ECONNREFUSED", false), false],
        ["token step 503", () => http(503, "POST /auth/o2/token"), false],
        ["503", () => http(503), true],
        ["dropped after sending", () => network("ECONNRESET", true), true],
        ["timeout", () => new DspTimeoutError({ operation: OP, host: "h:443", timeoutMs: 1000 }), true],
        ["400", () => http(400), false],
        ["403", () => new DspAuthError({ operation: OP, status: 403 }), false],
      ];
      const run = async (script: Array<() => Error>, maxAttempts = script.length): Promise<{ error: unknown; calls: number }> => {
        let calls = 0;
        const policy = resolveRetryPolicy({ maxAttempts });
        try {
          await withRetries(
            async () => {
              const next = script[calls++];
              throw (next as () => Error)();
            },
            { operation: OP, policy, budget: new RetryBudget(policy.budgetCapacity), clock: new FakeClock({ random: scriptedRandom(0) }) },
          );
        } catch (error) {
          return { error, calls };
        }
        throw new Error("the script always fails");
      };
      const cases: Array<[string, number[], boolean, string]> = [
        ["eight 429s", [0, 0, 0, 0, 0, 0, 0, 0], false, "rejected"],
        ["a 503, then 429s", [3, 0, 0, 0], true, "unknown"],
        ["429s, then a drop after sending", [0, 0, 4], true, "unknown"],
        ["a refused connection, then 429s", [1, 0, 0], false, "rejected"],
        ["a token-step 503, then a 429", [2, 0], false, "rejected"],
        ["a 503, then a 400", [3, 6], true, "unknown"],
        ["a 429, then a 403", [0, 7], false, "rejected"],
        ["a timeout alone", [5], true, "unknown"],
      ];
      for (const [name, script, applied, outcome] of cases) {
        it(`${name}: ${outcome}`, async () => {
          const { error } = await run(script.map((k) => (palette[k] as [string, () => Error, boolean])[1]));
          assert.ok(error instanceof DspError);
          assert.equal(error.anyAttemptMayHaveBeenApplied, applied);
          assert.equal(outcomeOfFailure(error), outcome);
        });
      }
      it("is rejected exactly when every attempt made was refused (property)", async () => {
        await fc.assert(
          fc.asyncProperty(fc.array(fc.integer({ min: 0, max: palette.length - 1 }), { minLength: 1, maxLength: 9 }), async (picks) => {
            const { error, calls } = await run(picks.map((k) => (palette[k] as [string, () => Error, boolean])[1]));
            const made = picks.slice(0, calls).map((k) => (palette[k] as [string, () => Error, boolean])[2]);
            assert.equal(outcomeOfFailure(error), made.some(Boolean) ? "unknown" : "rejected");
          }),
          { numRuns: 200 },
        );
      });
      it("the error still names the last answer", async () => {
        const { error } = await run([() => http(503), () => new DspRateLimitError({ operation: OP })]);
        assert.match((error as Error).message, /gave up after 2 attempts, attempt limit reached; last error: DspRateLimitError: throttled by Amazon/);
      });
    });

    it("rethrows CLIENT errors after a single attempt", async () => {
      const clock = new FakeClock();
      let calls = 0;
      const error = http(413);
      await assert.rejects(
        withRetries(
          async () => {
            calls++;
            throw error;
          },
          { operation: OP, policy: DEFAULT_RETRY_POLICY, budget: new RetryBudget(500), clock },
        ),
        (thrown: unknown) => thrown === error,
      );
      assert.equal(calls, 1);
    });
  });

  describe("resolveRetryPolicy", () => {
    it("rejects nonsense", () => {
      assert.throws(() => resolveRetryPolicy({ maxAttempts: 0 }), /maxAttempts/);
      assert.throws(() => resolveRetryPolicy({ baseDelayMs: -1 }), /baseDelayMs/);
      assert.throws(() => resolveRetryPolicy({ maxDelayMs: Number.NaN }), /maxDelayMs/);
    });
  });
});
