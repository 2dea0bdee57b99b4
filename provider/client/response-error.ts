/**
 * Turns a non-2xx API response into the matching error class. Pure.
 */
import { parseErrorBody } from "./error-body";
import { DspAuthError, DspHttpError, DspRateLimitError, type DspError, type DspErrorDetails } from "./errors";
import { parseRetryAfterMs } from "./retry";
import type { HttpResponse } from "./transport";

/** Header carrying Amazon's request id (also present in most error bodies). */
export const REQUEST_ID_HEADER = "x-amzn-requestid";

export function errorFromResponse(operation: string, response: HttpResponse, nowMs: number): DspError {
  const parsed = parseErrorBody(response.body);
  const details: DspErrorDetails & { status: number } = { operation, status: response.status };
  const requestId = parsed.requestId ?? response.headers[REQUEST_ID_HEADER];
  if (requestId !== undefined) details.requestId = requestId;
  if (parsed.errorType !== undefined) details.errorType = parsed.errorType;
  if (parsed.fieldName !== undefined) details.fieldName = parsed.fieldName;
  if (parsed.description !== undefined) details.description = parsed.description;
  const retryAfterMs = parseRetryAfterMs(response.headers["retry-after"], nowMs);
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;

  if (response.status === 429) return new DspRateLimitError(details);
  if (response.status === 401) return new DspAuthError(details);
  return new DspHttpError(details);
}
