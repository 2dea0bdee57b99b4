/**
 * Response values and the error body shapes of each endpoint family. Every error of a route,
 * the gateway's 401/403 included, has its family's documented shape:
 * - "dp" (audiencemetadata, audience, users): `{requestId, error: {httpStatusCode, description, errors}}`
 * - "hashed" (records/hashed): `{errorMessage}`
 * - "oauth" (token endpoint): `{error, error_description}`
 * - "admin" (`/__sim`) and an unknown route: `{code, details}`
 */
import { stringifyJson } from "./int64-json";
import type { FieldIssue } from "./validation";

/** What a route answers; the server writes it. */
export interface SimResponse {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export type ErrorFamily = "dp" | "hashed" | "oauth" | "admin";

export interface DpIssue {
  errorType: string;
  message: string;
  fieldName?: string;
}

export function json(status: number, value: unknown, headers?: Record<string, string>): SimResponse {
  return headers ? { status, body: stringifyJson(value), headers } : { status, body: stringifyJson(value) };
}

const DESCRIPTIONS: Record<number, string> = {
  400: "The request is invalid.",
  401: "The caller is not authorized for this operation.",
  403: "The client is not allowed to access this resource.",
  404: "The requested resource was not found.",
  413: "The input payload exceeds the size limit.",
  415: "The content type is not supported.",
  429: "The request was throttled.",
  500: "An internal error occurred. Please retry.",
  503: "The service is temporarily unavailable. Please retry.",
};

const ERROR_TYPES: Record<number, string> = {
  400: "INVALID_INPUT",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  413: "INPUT_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "TOO_MANY_REQUESTS",
  500: "INTERNAL_ERROR",
  503: "SERVICE_UNAVAILABLE",
};

export function dpError(status: number, requestId: string, issues: ReadonlyArray<DpIssue | FieldIssue>, description?: string): SimResponse {
  return json(status, {
    requestId,
    error: { httpStatusCode: String(status), description: description ?? DESCRIPTIONS[status] ?? "Error", errors: issues },
  });
}

export function hashedError(status: number, errorMessage: string): SimResponse {
  return json(status, { errorMessage });
}

export function gatewayError(status: number, code: string, details: string): SimResponse {
  return json(status, { code, details });
}

export function oauthError(status: number, error: string, description: string): SimResponse {
  return json(status, { error, error_description: description });
}

const HASHED_MESSAGES: Record<number, string> = {
  413: "Max request size is 5 MB",
  429: "Too Many Requests",
  500: "Internal Server Error. Please retry.",
  503: "Service Unavailable. Please retry.",
};

/** A family-shaped error that carries no field issues (throttles, faults, size limits). */
export function familyError(family: ErrorFamily, status: number, requestId: string, message?: string, fieldName?: string): SimResponse {
  switch (family) {
    case "dp": {
      const issue: DpIssue = { errorType: ERROR_TYPES[status] ?? "INTERNAL_ERROR", message: message ?? DESCRIPTIONS[status] ?? "Error" };
      if (fieldName !== undefined) issue.fieldName = fieldName;
      return dpError(status, requestId, [issue], message);
    }
    case "hashed":
      return hashedError(status, message ?? HASHED_MESSAGES[status] ?? "Error");
    case "oauth":
      return oauthError(status, status === 429 ? "slow_down" : "server_error", message ?? DESCRIPTIONS[status] ?? "Error");
    case "admin":
      return gatewayError(status, ERROR_TYPES[status] ?? "ERROR", message ?? DESCRIPTIONS[status] ?? "Error");
  }
}
