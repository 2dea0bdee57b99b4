/**
 * The client's error family. Every message names the operation (e.g.
 * `PATCH /v2/dp/audience`), the HTTP status, Amazon's request id and its
 * description, and never the request payload, tokens or secrets.
 * Callers branch on the class (or `retryable`), never on message text.
 */

/** What is known about a failed call; all fields optional except the operation. */
export interface DspErrorDetails {
  /** Method and path template, e.g. `PATCH /v2/dp/audience`. */
  operation: string;
  status?: number;
  requestId?: string;
  errorType?: string;
  fieldName?: string;
  /** Amazon's own explanation (already truncated by the body parser). */
  description?: string;
  retryAfterMs?: number;
  /** `host:port` the call went to, for network failures. Never a path or query. */
  host?: string;
  cause?: unknown;
}

/** Base class: a call to the DSP API (or its token endpoint) failed. */
export class DspError extends Error {
  override name = "DspError";
  readonly operation: string;
  declare readonly status?: number;
  declare readonly requestId?: string;
  declare readonly errorType?: string;
  declare readonly fieldName?: string;
  declare readonly description?: string;
  /** True when sending the same request again may succeed. */
  readonly retryable: boolean;
  /** Server-suggested wait before retrying, in ms (from `Retry-After`). */
  declare readonly retryAfterMs?: number;
  /** What went wrong, without the operation and the facts (e.g. "connection refused by host:443 (ECONNREFUSED)"). */
  readonly summary: string;
  /**
   * Whether any attempt of the request may have been applied at Amazon, over all its attempts: set
   * by the retry loop on the error a request ends with (undefined on errors that did not come
   * through it). A 429 after a 5xx is in doubt; eight 429s are not.
   */
  anyAttemptMayHaveBeenApplied?: boolean;

  constructor(summary: string, details: DspErrorDetails, retryable: boolean) {
    super(formatMessage(summary, details), details.cause === undefined ? undefined : { cause: details.cause });
    this.summary = redactSecrets(summary);
    this.operation = details.operation;
    this.retryable = retryable;
    if (details.status !== undefined) this.status = details.status;
    if (details.requestId !== undefined) this.requestId = redactSecrets(details.requestId);
    if (details.errorType !== undefined) this.errorType = redactSecrets(details.errorType);
    if (details.fieldName !== undefined) this.fieldName = redactSecrets(details.fieldName);
    if (details.description !== undefined) this.description = redactSecrets(details.description);
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** The API answered with an error status (4xx other than 401/429, or 5xx). */
export class DspHttpError extends DspError {
  override name = "DspHttpError";
  declare readonly status: number;

  constructor(details: DspErrorDetails & { status: number }, summary = "request failed", retryable = details.status >= 500) {
    super(summary, details, retryable);
  }
}

/** HTTP 429: the request was rejected before processing; wait `retryAfterMs` (if given) and retry. */
export class DspRateLimitError extends DspHttpError {
  override name = "DspRateLimitError";

  constructor(details: DspErrorDetails) {
    super({ ...details, status: 429 }, "throttled by Amazon", true);
  }
}

/** The connection failed (refused, reset, dropped) or no complete response arrived. */
export class DspNetworkError extends DspError {
  override name = "DspNetworkError";
  /** Node's error code, e.g. `ECONNREFUSED`, `ENOTFOUND`, `ETIMEDOUT`, `CERT_HAS_EXPIRED`. */
  declare readonly code?: string;
  /** `host:port` the call went to. */
  declare readonly host?: string;
  /**
   * False only when the failure provably happened before any byte was sent
   * (connection refused, DNS failure, TLS handshake); then even a create may be retried.
   */
  readonly requestMayHaveBeenSent: boolean;

  constructor(
    details: DspErrorDetails & { code?: string; requestMayHaveBeenSent: boolean; retryable?: boolean },
    summary: string = describeNetworkFailure(details.code, details.host),
  ) {
    super(summary, details, details.retryable ?? true);
    if (details.code !== undefined) this.code = details.code;
    if (details.host !== undefined) this.host = details.host;
    this.requestMayHaveBeenSent = details.requestMayHaveBeenSent;
  }
}

/** TLS failures: certificate problems and handshake errors, by Node/OpenSSL code. */
export function isTlsErrorCode(code: string | undefined): boolean {
  return code !== undefined && /^(?:ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|SELF_SIGNED_|DEPTH_ZERO_|HOSTNAME_MISMATCH$|EPROTO$)/.test(code);
}

/**
 * One line naming where and why a connection failed, e.g. "connection refused by
 * 127.0.0.1:8080 (ECONNREFUSED)". Pure.
 */
export function describeNetworkFailure(code: string | undefined, host: string | undefined): string {
  const at = host ?? "the server";
  const tag = code === undefined ? "" : ` (${code})`;
  switch (code) {
    case "ECONNREFUSED":
      return `connection refused by ${at}${tag}: nothing accepts connections there`;
    case "ENOTFOUND":
      return `cannot resolve the host of ${at}${tag}: no such host`;
    case "EAI_AGAIN":
      return `cannot resolve the host of ${at}${tag}: DNS lookup failed for now`;
    case "ECONNRESET":
      return `connection to ${at} reset${tag}`;
    case "ETIMEDOUT":
      return `connection to ${at} timed out${tag}`;
    case "ENETUNREACH":
    case "EHOSTUNREACH":
      return `${at} is unreachable${tag}`;
    default:
      if (isTlsErrorCode(code)) return `TLS error with ${at}${tag}`;
      return `network error with ${at}${tag}`;
  }
}

/** No response within the configured timeout. The server may still process the request. */
export class DspTimeoutError extends DspNetworkError {
  override name = "DspTimeoutError";
  readonly timeoutMs: number;

  constructor(details: DspErrorDetails & { timeoutMs: number }) {
    super(
      { ...details, code: "ETIMEDOUT", requestMayHaveBeenSent: true },
      `no response from ${details.host ?? "the server"} within ${details.timeoutMs} ms (ETIMEDOUT)`,
    );
    this.timeoutMs = details.timeoutMs;
  }
}

/**
 * Authentication failed: the token endpoint refused the credentials, or the
 * API answered 401 even with a freshly refreshed token. Not retryable.
 */
export class DspAuthError extends DspError {
  override name = "DspAuthError";

  constructor(details: DspErrorDetails) {
    super(
      "authentication failed (check the LwA client id, client secret and refresh token; an expired or revoked refresh token needs a new consent)",
      details,
      false,
    );
  }
}

/** Retries stopped: the request hit its attempt limit, or the client's retry budget ran dry. */
export class DspRetryBudgetExhaustedError extends DspError {
  override name = "DspRetryBudgetExhaustedError";
  readonly attempts: number;
  readonly reason: "max-attempts" | "retry-budget";
  /** The failure of the last attempt (also `cause`). */
  readonly lastError: DspError;

  constructor(lastError: DspError, attempts: number, reason: "max-attempts" | "retry-budget") {
    const why = reason === "max-attempts" ? "attempt limit reached" : "client retry budget exhausted (too many failures recently)";
    super(`gave up after ${attempts} attempt${attempts === 1 ? "" : "s"}, ${why}; last error: ${lastError.name}: ${lastError.summary}`, detailsOf(lastError), false);
    this.attempts = attempts;
    this.reason = reason;
    this.lastError = lastError;
  }
}

/**
 * Creating an audience failed after the request may have reached Amazon.
 * Creation is not idempotent and the API has no list call, so the client does
 * not retry: the audience may exist.
 */
export class DspCreateMayHaveSucceededError extends DspError {
  override name = "DspCreateMayHaveSucceededError";
  /** The `externalAudienceId` of the create request, to find the audience by. */
  readonly externalAudienceId: string;

  constructor(lastError: DspError, externalAudienceId: string) {
    super(
      `create failed after the request may have reached Amazon (${lastError.name}); the audience may exist. ` +
        `It was not retried because creating is not idempotent and the API cannot list audiences: look up the audience with ` +
        `externalAudienceId ${JSON.stringify(externalAudienceId)} in the DSP console and adopt it by id if it exists, otherwise create again`,
      detailsOf(lastError),
      false,
    );
    this.externalAudienceId = externalAudienceId;
  }
}

function detailsOf(error: DspError): DspErrorDetails {
  const details: DspErrorDetails = { operation: error.operation, cause: error };
  if (error.status !== undefined) details.status = error.status;
  if (error.requestId !== undefined) details.requestId = error.requestId;
  if (error.errorType !== undefined) details.errorType = error.errorType;
  if (error.fieldName !== undefined) details.fieldName = error.fieldName;
  if (error.description !== undefined) details.description = error.description;
  if (error.retryAfterMs !== undefined) details.retryAfterMs = error.retryAfterMs;
  return details;
}

function formatMessage(summary: string, details: DspErrorDetails): string {
  const facts: string[] = [];
  if (details.status !== undefined) facts.push(`HTTP ${details.status}`);
  if (details.errorType !== undefined) facts.push(details.errorType);
  if (details.fieldName !== undefined) facts.push(`field "${details.fieldName}"`);
  if (details.requestId !== undefined) facts.push(`requestId ${details.requestId}`);
  let message = `${details.operation}: ${summary}`;
  if (facts.length > 0) message += ` (${facts.join(", ")})`;
  if (details.description !== undefined) message += `: ${details.description}`;
  return redactSecrets(message);
}

// LwA access tokens start with "Atza|", refresh tokens with "Atzr|"; form or
// JSON fields may be echoed back by proxies. Redact all of them wherever they appear.
const SECRET_REDACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Atz[a-z]\|[^\s"',;&]+/g, "[redacted-token]"],
  [/\b(client_secret|refresh_token|access_token)=[^\s&"']+/gi, "$1=[redacted]"],
  [/"(client_secret|refresh_token|access_token)"\s*:\s*"[^"]*"/gi, '"$1":"[redacted]"'],
  [/\bBearer\s+[^\s"',;]+/gi, "Bearer [redacted]"],
];

/** Removes anything that looks like an LwA token or secret from `text`. */
export function redactSecrets(text: string): string {
  let redacted = text;
  for (const [pattern, replacement] of SECRET_REDACTIONS) redacted = redacted.replace(pattern, replacement);
  return redacted;
}

/**
 * Reduces a low-level error (e.g. from axios, which holds the request config
 * with headers and body) to name, code and message, so no token or payload
 * travels along in `cause`.
 */
export function sanitizeCause(error: unknown): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const clean = new Error(redactSecrets(source.message));
  clean.name = source.name;
  const code = (source as { code?: unknown }).code;
  if (typeof code === "string") (clean as Error & { code: string }).code = code;
  return clean;
}
