/**
 * Login-with-Amazon access tokens: refresh-token grant, cached per client
 * instance, renewed shortly before expiry and after a 401, with one shared
 * in-flight refresh for concurrent callers. Credentials and tokens live in
 * private fields only, so they never show up in serialized or inspected objects.
 */
import type { Clock } from "./clock";
import { parseErrorBody } from "./error-body";
import { DspAuthError, DspHttpError, DspNetworkError, DspRateLimitError, describeNetworkFailure, isTlsErrorCode, type DspErrorDetails } from "./errors";
import { parseRetryAfterMs } from "./retry";
import type { HttpResponse, HttpTransport } from "./transport";

/** Login-with-Amazon application credentials plus the advertiser's refresh token. */
export interface DspCredentials {
  /** LwA client id (`amzn1.application-oa2-client.…`); also sent as `Amazon-Advertising-API-ClientId`. */
  clientId: string;
  clientSecret: string;
  /** `Atzr|…`, from the consent flow. */
  refreshToken: string;
}

/**
 * Credentials as a value, or a function called each time a token is needed
 * (e.g. reading Pulumi config or a secret store at call time).
 */
export type DspCredentialsSource = DspCredentials | (() => DspCredentials | Promise<DspCredentials>);

export const TOKEN_OPERATION = "POST /auth/o2/token";

/** Default margin before expiry at which a token is renewed, in ms. */
export const DEFAULT_REFRESH_SKEW_MS = 60_000;

export interface AccessTokenProviderOptions {
  tokenUrl: string;
  credentials: DspCredentialsSource;
  transport: HttpTransport;
  clock: Clock;
  /**
   * Renew this many ms before the token expires. Capped at half the token's
   * lifetime, so short-lived tokens are not renewed on every request.
   * @default 60000
   */
  refreshSkewMs?: number;
  /** Token request timeout, in ms. @default 30000 */
  timeoutMs?: number;
  onRefreshed?: (expiresInMs: number) => void;
}

/** What a request needs to authenticate. */
export interface AccessGrant {
  accessToken: string;
  clientId: string;
}

interface CachedToken extends AccessGrant {
  renewAtMs: number;
}

export class AccessTokenProvider {
  readonly #tokenUrl: string;
  readonly #credentials: DspCredentialsSource;
  readonly #transport: HttpTransport;
  readonly #clock: Clock;
  readonly #refreshSkewMs: number;
  readonly #timeoutMs: number;
  readonly #onRefreshed: ((expiresInMs: number) => void) | undefined;
  #cached: CachedToken | undefined;
  #inFlight: Promise<CachedToken> | undefined;

  constructor(options: AccessTokenProviderOptions) {
    this.#tokenUrl = options.tokenUrl;
    this.#credentials = options.credentials;
    this.#transport = options.transport;
    this.#clock = options.clock;
    this.#refreshSkewMs = options.refreshSkewMs ?? DEFAULT_REFRESH_SKEW_MS;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#onRefreshed = options.onRefreshed;
  }

  /** A valid access token, from cache or from one (shared) refresh. */
  async getAccessGrant(): Promise<AccessGrant> {
    let token = this.#cached;
    if (token === undefined || this.#clock.now() >= token.renewAtMs) {
      this.#inFlight ??= this.#refresh().finally(() => {
        this.#inFlight = undefined;
      });
      token = await this.#inFlight;
    }
    return { accessToken: token.accessToken, clientId: token.clientId };
  }

  /**
   * Drops `rejectedToken` after the API answered 401 with it. A no-op when a
   * newer token is already cached, so N concurrent 401s cause one refresh.
   */
  invalidate(rejectedToken: string): void {
    if (this.#cached?.accessToken === rejectedToken) this.#cached = undefined;
  }

  async #refresh(): Promise<CachedToken> {
    const credentials = await this.#readCredentials();
    const startedAt = this.#clock.now();
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: credentials.refreshToken,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
    }).toString();
    let response: HttpResponse;
    try {
      response = await this.#transport.send({
        method: "POST",
        url: this.#tokenUrl,
        headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8", accept: "application/json" },
        body: form,
        timeoutMs: this.#timeoutMs,
        operation: TOKEN_OPERATION,
      });
    } catch (error) {
      throw tokenStepFailure(error);
    }
    const { accessToken, expiresInMs } = readTokenResponse(response, this.#clock.now());
    const renewMarginMs = Math.min(this.#refreshSkewMs, expiresInMs / 2);
    const token: CachedToken = { accessToken, clientId: credentials.clientId, renewAtMs: startedAt + expiresInMs - renewMarginMs };
    this.#cached = token;
    this.#onRefreshed?.(expiresInMs);
    return token;
  }

  async #readCredentials(): Promise<DspCredentials> {
    const source = this.#credentials;
    const credentials = typeof source === "function" ? await source() : source;
    for (const field of ["clientId", "clientSecret", "refreshToken"] as const) {
      const value: unknown = credentials?.[field];
      if (typeof value !== "string" || value.length === 0) {
        throw new DspAuthError({ operation: TOKEN_OPERATION, description: `credentials.${field} is missing or empty` });
      }
    }
    return credentials;
  }
}

/**
 * Failures of the token step that retrying cannot fix: nothing listens at the host, the host
 * does not exist, or its certificate is refused. The endpoint setting is wrong (or the
 * simulator is not running), so the client fails on the first attempt and says what to check,
 * instead of backing off through every attempt. Everything else (resets, timeouts, DNS
 * hiccups) is retried as before.
 */
const WRONG_ENDPOINT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND"]);

export const TOKEN_ENDPOINT_HINT =
  "check the endpoint: dsp:region or DSP_REGION (NA, EU, FE) for Amazon, or dsp:endpoint or DSP_ENDPOINT for another URL (is the simulator running?)";

/** Pure: the error to throw for a transport failure of the token request. */
export function tokenStepFailure(error: unknown): unknown {
  if (!(error instanceof DspNetworkError) || error.code === undefined) return error;
  if (!WRONG_ENDPOINT_CODES.has(error.code) && !isTlsErrorCode(error.code)) return error;
  const details = {
    operation: TOKEN_OPERATION,
    code: error.code,
    requestMayHaveBeenSent: false,
    retryable: false,
    cause: error,
    ...(error.host !== undefined ? { host: error.host } : {}),
  };
  return new DspNetworkError(details, `${describeNetworkFailure(error.code, error.host)}; ${TOKEN_ENDPOINT_HINT}`);
}

const DEFAULT_TOKEN_LIFETIME_S = 3600;

/** Pure: interprets the token endpoint's answer, or throws the matching error. */
export function readTokenResponse(response: HttpResponse, nowMs: number): { accessToken: string; expiresInMs: number } {
  if (response.status >= 200 && response.status < 300) {
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    const accessToken = (body as { access_token?: unknown } | undefined)?.access_token;
    const expiresIn = (body as { expires_in?: unknown } | undefined)?.expires_in;
    if (typeof accessToken !== "string" || accessToken.length === 0) {
      throw new DspAuthError({ operation: TOKEN_OPERATION, status: response.status, description: "token response has no access_token" });
    }
    const seconds = Number(expiresIn);
    const lifetimeSeconds = Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TOKEN_LIFETIME_S;
    return { accessToken, expiresInMs: lifetimeSeconds * 1000 };
  }

  const parsed = parseErrorBody(response.body);
  const details: DspErrorDetails & { status: number } = { operation: TOKEN_OPERATION, status: response.status };
  if (parsed.requestId !== undefined) details.requestId = parsed.requestId;
  if (parsed.errorType !== undefined) details.errorType = parsed.errorType;
  if (parsed.description !== undefined) details.description = parsed.description;
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfterMs(response.headers["retry-after"], nowMs);
    if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
    throw new DspRateLimitError(details);
  }
  if (response.status >= 500) throw new DspHttpError(details);
  throw new DspAuthError(details);
}
