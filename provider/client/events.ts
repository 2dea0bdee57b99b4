/**
 * Progress events: what the client is doing, for progress bars and audit
 * lines. Events carry counts, timings and Amazon's ids, never payloads or tokens.
 */
import type { ErrorClass } from "./retry";
import type { LaneName } from "./throttle";

/** A request left the client (one event per attempt). */
export interface RequestSentEvent {
  type: "request-sent";
  operation: string;
  lane: LaneName;
  /** 0 for the first attempt, 1 for the first retry, … */
  attempt: number;
  /** Body size in bytes (0 without a body). */
  bytes: number;
  /** Record-level operations in the body (audience memberships, records, users); 0 for metadata calls. */
  ops: number;
}

/** A response arrived (any status). */
export interface RequestDoneEvent {
  type: "request-done";
  operation: string;
  lane: LaneName;
  attempt: number;
  status: number;
  /** Time from send to complete response, in ms. */
  ms: number;
  ops: number;
  requestId?: string;
}

/** An attempt failed and the client will try again after `delayMs`. */
export interface RetryEvent {
  type: "retry";
  operation: string;
  /** Why: the error class, or `UNAUTHORIZED` for the single replay after refreshing a rejected token. */
  reason: ErrorClass | "UNAUTHORIZED";
  /** Wait before the next attempt, in ms. */
  delayMs: number;
  /** The attempt that failed (0-based). */
  attempt: number;
  status?: number;
  requestId?: string;
}

/** A request waited for its lane's rate limit or concurrency limit. */
export interface ThrottledWaitEvent {
  type: "throttled-wait";
  lane: LaneName;
  /** Time spent waiting, in ms. */
  waitedMs: number;
}

/** Amazon accepted a request's records (2xx); processing is asynchronous on Amazon's side. */
export interface IdsAcceptedEvent {
  type: "ids-accepted";
  operation: string;
  /** Record-level operations accepted by this request. */
  ops: number;
  /** Cumulative record-level operations accepted in the current call. */
  totalOps: number;
  requestId?: string;
  /** Amazon's asynchronous job id (PATCH /v2/dp/audience only). */
  jobId?: string;
}

/** A new access token was obtained from Login with Amazon. */
export interface TokenRefreshedEvent {
  type: "token-refreshed";
  /** Lifetime reported by Login with Amazon, in ms. */
  expiresInMs: number;
}

export type DspClientEvent =
  | RequestSentEvent
  | RequestDoneEvent
  | RetryEvent
  | ThrottledWaitEvent
  | IdsAcceptedEvent
  | TokenRefreshedEvent;

export type DspEventListener = (event: DspClientEvent) => void;

/**
 * Calls each listener in turn. A throwing listener must not break an upload
 * half-way (or turn a successful create into an unknown state), so its error is
 * reported as a process warning instead of propagating.
 */
export function emitTo(listeners: readonly (DspEventListener | undefined)[], event: DspClientEvent): void {
  for (const listener of listeners) {
    if (listener === undefined) continue;
    try {
      listener(event);
    } catch (error) {
      process.emitWarning(`DSP client event listener threw on "${event.type}": ${String(error)}`, "DspEventListenerWarning");
    }
  }
}
