/**
 * One API call end to end: lane (rate + concurrency) → access token → send →
 * classify → retry. Knows nothing about specific endpoints; dsp-client.ts
 * describes each call as a `DspRequestSpec`.
 */
import type { AccessGrant, AccessTokenProvider } from "./auth";
import type { Clock } from "./clock";
import { DspAuthError, DspError } from "./errors";
import { emitTo, type DspClientEvent, type DspEventListener } from "./events";
import { REQUEST_ID_HEADER, errorFromResponse } from "./response-error";
import { withRetries, type RetryBudget, type RetryLoopContext, type RetryPolicy } from "./retry";
import type { Lane, LaneName } from "./throttle";
import type { HttpMethod, HttpResponse, HttpTransport } from "./transport";

export interface DspRequestSpec {
  method: HttpMethod;
  /** Path with concrete ids, e.g. `/v2/dp/audiencemetadata/72057594038053890`. */
  path: string;
  /** Method and path template for messages and events, e.g. `GET /v2/dp/audiencemetadata/{audienceId}`. */
  operation: string;
  lane: LaneName;
  /** Pre-built body, sent as is. */
  body?: string | Buffer;
  contentType?: string;
  accept?: string;
  /** Record-level operations carried, for events. */
  ops: number;
  /** Marks a create that must not be repeated once it may have reached the server. */
  nonIdempotentCreate?: { externalAudienceId: string };
}

export interface RequestExecutorOptions {
  apiUrl: string;
  transport: HttpTransport;
  auth: AccessTokenProvider;
  lanes: Record<LaneName, Lane>;
  policy: RetryPolicy;
  budget: RetryBudget;
  clock: Clock;
  requestTimeoutMs: number;
  onEvent?: DspEventListener;
}

export class RequestExecutor {
  readonly #options: RequestExecutorOptions;

  constructor(options: RequestExecutorOptions) {
    this.#options = options;
  }

  /** Sends the request (retrying as the rules allow); resolves with the 2xx response. */
  async execute(spec: DspRequestSpec, extraListener?: DspEventListener): Promise<HttpResponse> {
    const { apiUrl, transport, auth, lanes, policy, budget, clock, requestTimeoutMs } = this.#options;
    const lane = lanes[spec.lane];
    const emit = (event: DspClientEvent): void => emitTo([this.#options.onEvent, extraListener], event);
    const bytes = spec.body === undefined ? 0 : Buffer.byteLength(spec.body, "utf8");
    let rejectedToken: string | undefined;
    let replayedAfter401 = false;

    const onLaneWait = (waitedMs: number): void => emit({ type: "throttled-wait", lane: spec.lane, waitedMs });
    const attemptOnce = (attempt: number): Promise<HttpResponse> => {
      let grant: AccessGrant | undefined;
      const fetchToken = async (): Promise<void> => {
        grant = await auth.getAccessGrant();
      };
      return lane.run(async () => {
        if (grant === undefined) throw new Error("lane ran the call without preparing an access token");
        const headers: Record<string, string> = {
          authorization: `Bearer ${grant.accessToken}`,
          "amazon-advertising-api-clientid": grant.clientId,
          accept: spec.accept ?? "application/json",
        };
        if (spec.body !== undefined) headers["content-type"] = spec.contentType ?? "application/json";
        emit({ type: "request-sent", operation: spec.operation, lane: spec.lane, attempt, bytes, ops: spec.ops });
        const sentAt = clock.now();
        const response = await transport.send({
          method: spec.method,
          url: apiUrl + spec.path,
          headers,
          ...(spec.body === undefined ? {} : { body: spec.body }),
          timeoutMs: requestTimeoutMs,
          operation: spec.operation,
          ...(spec.nonIdempotentCreate === undefined ? {} : { freshConnection: true }),
        });
        const done: DspClientEvent = {
          type: "request-done",
          operation: spec.operation,
          lane: spec.lane,
          attempt,
          status: response.status,
          ms: clock.now() - sentAt,
          ops: spec.ops,
        };
        const requestId = response.headers[REQUEST_ID_HEADER];
        if (requestId !== undefined) done.requestId = requestId;
        emit(done);
        // The lane adapts its spacing to the server's verdict (provider/client/spacing-margin.ts).
        lane.noteStatus(response.status);
        if (response.status >= 200 && response.status < 300) return response;
        if (response.status === 401) rejectedToken = grant.accessToken;
        throw errorFromResponse(spec.operation, response, clock.now());
      }, { beforeRateSlot: fetchToken, onWait: onLaneWait });
    };

    const context: RetryLoopContext = {
      operation: spec.operation,
      policy,
      budget,
      clock,
      // One replay after a 401: the token may have been revoked or expired early.
      replayAtOnce: (error) => {
        if (replayedAfter401 || !(error instanceof DspAuthError) || error.status !== 401 || error.operation !== spec.operation) return false;
        replayedAfter401 = true;
        if (rejectedToken !== undefined) auth.invalidate(rejectedToken);
        return true;
      },
      onRetry: ({ error, attempt, reason, delayMs }) => {
        // A 429 with Retry-After throttles every caller of the lane, not just this one.
        if (reason === "THROTTLED" && error instanceof DspError && error.retryAfterMs !== undefined) {
          lane.holdUntil(clock.now() + delayMs);
        }
        const retryEvent: DspClientEvent = { type: "retry", operation: spec.operation, reason, delayMs, attempt };
        if (error instanceof DspError && error.status !== undefined) retryEvent.status = error.status;
        if (error instanceof DspError && error.requestId !== undefined) retryEvent.requestId = error.requestId;
        emit(retryEvent);
      },
    };
    if (spec.nonIdempotentCreate !== undefined) context.nonIdempotentCreate = spec.nonIdempotentCreate;
    return withRetries(attemptOnce, context);
  }
}
