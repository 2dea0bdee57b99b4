/**
 * What a failed request tells about its effect at Amazon. Pure; branches on error classes and
 * statuses, never on message text.
 *
 * - `rejected`: the answer proves nothing was applied (a 4xx that refuses the request: 400, 401,
 *   403, 404, 413, 415, ...), or a connection that failed before any byte was sent. A request is
 *   all-or-nothing.
 * - `unknown`: the request may have been applied (a 5xx, which servers also send after
 *   processing; a timeout or dropped connection; retries that gave up, whose earlier attempts may
 *   have been processed; anything unexpected).
 */
import { DspAuthError, DspHttpError, DspNetworkError, DspRateLimitError } from "../client";

export type SendOutcome = "rejected" | "unknown";

export function outcomeOfFailure(error: unknown): SendOutcome {
  if (error instanceof DspAuthError) return "rejected";
  if (error instanceof DspNetworkError && !error.requestMayHaveBeenSent) return "rejected"; // never left this machine
  if (error instanceof DspRateLimitError) return "unknown"; // a 429 after retries: earlier attempts may have been 5xx
  if (error instanceof DspHttpError && error.status >= 400 && error.status < 500 && error.status !== 408) return "rejected";
  return "unknown";
}
