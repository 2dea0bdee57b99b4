/**
 * What a failed request tells about its effect at Amazon, from all of its attempts. Pure; branches
 * on error classes and statuses, never on message text.
 *
 * - `rejected`: every attempt was refused (429, a refusing 4xx such as 400, 401, 403, 404, 413,
 *   415, or a connection that failed before any byte was sent), so nothing was applied. A request
 *   is all-or-nothing.
 * - `unknown`: some attempt may have been applied (a 5xx, which servers also send after
 *   processing; a timeout or dropped connection after sending; anything unexpected).
 */
import { DspError, mayHaveBeenApplied } from "../client";

export type SendOutcome = "rejected" | "unknown";

export function outcomeOfFailure(error: unknown): SendOutcome {
  // A request is judged by its own operation: only the retry loop can tell an earlier step's failure apart.
  return mayHaveBeenApplied(error, error instanceof DspError ? error.operation : "") ? "unknown" : "rejected";
}
