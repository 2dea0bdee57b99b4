/**
 * The HTTP transport the client uses by default: axios with keep-alive agents, the only module
 * that imports axios. It turns every failure into a `DspNetworkError` or `DspTimeoutError` that
 * says whether the request may have been sent.
 */
import http from "node:http";
import https from "node:https";
import type * as axiosType from "axios";
import type { AxiosInstance, AxiosResponse } from "axios";
import { DspNetworkError, DspTimeoutError, isTlsErrorCode, sanitizeCause } from "./errors";
import type { HttpRequest, HttpResponse, HttpTransport } from "./transport";

// Connection failures that happen before any byte of the request is written.
const NOT_SENT_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH"]);

const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * axios with keep-alive agents sized for the lanes' concurrency, bodies sent
 * as built, no redirects (native transport, less CPU), and raw text responses
 * (ids are parsed losslessly by the caller).
 */
export function createAxiosTransport(maxSockets: number): HttpTransport {
  const { default: axios } = loadAxios();
  const pooled = {
    httpAgent: new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }),
  };
  const fresh = { httpAgent: new http.Agent({ keepAlive: false }), httpsAgent: new https.Agent({ keepAlive: false }) };
  const instance: AxiosInstance = axios.create({
    responseType: "text",
    transformRequest: [(data: unknown) => data],
    transformResponse: [(data: unknown) => data],
    validateStatus: () => true,
    maxRedirects: 0,
    maxBodyLength: MAX_REQUEST_BYTES,
    maxContentLength: MAX_RESPONSE_BYTES,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
  });

  return {
    async send(request: HttpRequest): Promise<HttpResponse> {
      let response: AxiosResponse<unknown>;
      try {
        response = await instance.request({
          method: request.method,
          url: request.url,
          headers: { ...request.headers },
          ...(request.body === undefined ? {} : { data: request.body }),
          timeout: request.timeoutMs,
          ...(request.freshConnection === true ? fresh : pooled),
        });
      } catch (error) {
        throw toTransportError(error, request);
      }
      return { status: response.status, headers: lowerCaseHeaders(response.headers), body: typeof response.data === "string" ? response.data : "" };
    },
    close(): void {
      for (const agent of [pooled.httpAgent, pooled.httpsAgent, fresh.httpAgent, fresh.httpsAgent]) agent.destroy();
    },
  };
}

/**
 * axios, loaded when the first transport is made: the Pulumi program imports the client for its
 * vocabulary and never sends a request, so it does not pay for loading axios (~0.1 s of CPU).
 */
function loadAxios(): typeof axiosType {
  return require("axios") as typeof axiosType;
}

/** `host:port` of a URL (the default port filled in), for error messages; never its path or query. Pure. */
export function hostPortOf(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    const port = parsed.port !== "" ? parsed.port : parsed.protocol === "https:" ? "443" : parsed.protocol === "http:" ? "80" : "";
    return port === "" ? parsed.hostname : `${parsed.hostname}:${port}`;
  } catch {
    return undefined;
  }
}

/** The failure's own code: axios copies it from Node's error, and some wrap it in `cause`. */
function errorCodeOf(error: unknown): string | undefined {
  const { AxiosError } = loadAxios();
  const code = error instanceof AxiosError ? error.code : (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && code !== AxiosError.ERR_NETWORK) return code;
  const causeCode = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof causeCode === "string" ? causeCode : typeof code === "string" ? code : undefined;
}

function toTransportError(error: unknown, request: HttpRequest): DspNetworkError {
  const code = errorCodeOf(error);
  const cause = sanitizeCause(error);
  const host = hostPortOf(request.url);
  const where = host === undefined ? {} : { host };
  if (code === "ETIMEDOUT" || code === loadAxios().AxiosError.ECONNABORTED) {
    return new DspTimeoutError({ operation: request.operation, timeoutMs: request.timeoutMs, cause, ...where });
  }
  // A TLS handshake fails before the request is written, like a refused connection.
  const notSent = code !== undefined && (NOT_SENT_CODES.has(code) || isTlsErrorCode(code));
  const details = { operation: request.operation, cause, requestMayHaveBeenSent: !notSent, ...where };
  return new DspNetworkError(code !== undefined ? { ...details, code } : details);
}

function lowerCaseHeaders(headers: AxiosResponse["headers"]): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    result[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return result;
}
