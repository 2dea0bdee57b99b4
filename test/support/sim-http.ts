/** Helpers for simulator tests: raw HTTP (exact bytes both ways) and a logged-in client. */
import { strict as assert } from "node:assert";
import * as http from "node:http";
import { SIMULATOR_CREDENTIALS, startSimulator, type RunningSimulator, type SimulatorOptions } from "../../simulator";

export const CREDS = SIMULATOR_CREDENTIALS;
export const OTHER_CREDS = {
  clientId: "amzn1.application-oa2-client.other",
  clientSecret: "other-secret",
  refreshToken: "Atzr|other-refresh-token",
} as const;

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** `JSON.parse(text)`; undefined when the body is not JSON. Never use it for int64 ids. */
  json: unknown;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Send the body with chunked transfer encoding instead of Content-Length. */
  chunked?: boolean;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

export function rawRequest(baseUrl: string, method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined && !opts.chunked) headers["Content-Length"] = String(Buffer.byteLength(opts.body));
    const req = http.request(`${baseUrl}${path}`, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    if (opts.body !== undefined && opts.chunked) {
      const body = Buffer.from(opts.body);
      // Several writes so that the body really arrives in chunks.
      for (let i = 0; i < body.length; i += 65536) req.write(body.subarray(i, i + 65536));
      req.end();
    } else {
      req.end(opts.body);
    }
  });
}

export async function fetchToken(sim: RunningSimulator, creds: { clientId: string; clientSecret: string; refreshToken: string } = CREDS): Promise<string> {
  const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: creds.refreshToken, client_id: creds.clientId, client_secret: creds.clientSecret });
  const res = await rawRequest(sim.url, "POST", "/auth/o2/token", {
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${res.text}`);
  return (res.json as { access_token: string }).access_token;
}

/** A client bound to one simulator and one set of credentials. */
export class TestClient {
  constructor(
    readonly sim: RunningSimulator,
    readonly token: string,
    readonly clientId: string = CREDS.clientId,
  ) {}

  static async login(sim: RunningSimulator, creds: { clientId: string; clientSecret: string; refreshToken: string } = CREDS): Promise<TestClient> {
    return new TestClient(sim, await fetchToken(sim, creds), creds.clientId);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { Authorization: `Bearer ${this.token}`, "Amazon-Advertising-API-ClientId": this.clientId, "Content-Type": "application/json", ...extra };
  }

  /** Sends `body` as given when it is a string (exact JSON text), else JSON.stringify(body). */
  send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> {
    const text = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    return rawRequest(this.sim.url, method, path, { headers: this.headers(headers), ...(text === undefined ? {} : { body: text }) });
  }

  /** Creates an audience and returns its id exactly (read from the response text). */
  async createAudience(overrides: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Promise<string> {
    const res = await this.send("POST", "/v2/dp/audiencemetadata/", validAudience(overrides, metadata));
    if (res.status !== 200) throw new Error(`create: ${res.status} ${res.text}`);
    return idFromText(res.text);
  }

  patch(patches: string): Promise<HttpResult> {
    return this.send("PATCH", "/v2/dp/audience", `{"patches":[${patches}]}`);
  }
}

let externalCounter = 0;
export function validAudience(overrides: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "Simulator test audience",
    description: "made by a test",
    advertiserId: 5551234567,
    metadata: { type: "DATA_PROVIDER", externalAudienceId: `ext-${++externalCounter}`, dataSourceCountry: ["US"], ...metadata },
    ...overrides,
  };
}

/** The audience id as exact decimal text, from `"id":<digits>` in a response body. */
export function idFromText(text: string): string {
  const m = /"id":(\d+)/.exec(text);
  if (!m?.[1]) throw new Error(`no id in ${text}`);
  return m[1];
}

/** One `add`/`remove` patch as JSON text with ids written exactly. */
export function patchText(op: string, path: string, ids: string[]): string {
  return `{"op":"${op}","path":"${path}","value":[${ids.join(",")}]}`;
}

/** A manual clock for throttle and expiry tests. */
export class ManualClock {
  constructor(public now = 1_700_000_000_000) {}
  readonly read = (): number => this.now;
  advance(ms: number): void {
    this.now += ms;
  }
}

/** Starts a simulator for a describe block and stops it afterwards. */
export function useSimulator(opts: SimulatorOptions | (() => SimulatorOptions) = {}): { readonly sim: RunningSimulator } {
  const holder: { sim?: RunningSimulator } = {};
  before(async () => {
    holder.sim = await startSimulator(typeof opts === "function" ? opts() : opts);
  });
  after(async () => {
    await holder.sim?.stop();
  });
  return {
    get sim(): RunningSimulator {
      if (!holder.sim) throw new Error("simulator not started");
      return holder.sim;
    },
  };
}

/** The dp-family error body. */
export interface DpErrorBody {
  requestId: string;
  error: { httpStatusCode: string; description: string; errors: Array<{ errorType: string; message: string; fieldName?: string }> };
}

export const HASHED_V3 = "application/vnd.dpuploadhashedrecordsresponse.v3+json";
export const HASHED_V3_1 = "application/vnd.dpuploadhashedrecordsresponse.v3.1+json";

/**
 * Asserts the Data Provider document's error answer: `application/json`, exactly
 * `{requestId, error: {httpStatusCode, description, errors}}` with the status as a string, at least
 * one `{errorType, message, fieldName?}`, and the body's requestId the one in `x-amzn-requestid`.
 */
export function expectDpError(res: HttpResult, status: number, errorType: string): DpErrorBody {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers["content-type"], "application/json");
  const body = res.json as DpErrorBody;
  assert.deepEqual(Object.keys(body).sort(), ["error", "requestId"], res.text);
  assert.deepEqual(Object.keys(body.error).sort(), ["description", "errors", "httpStatusCode"], res.text);
  assert.equal(body.requestId, res.headers["x-amzn-requestid"]);
  assert.equal(body.error.httpStatusCode, String(status));
  assert.ok(body.error.description.length > 0);
  assert.ok(body.error.errors.length > 0, res.text);
  for (const e of body.error.errors) {
    assert.ok(Object.keys(e).every((k) => ["errorType", "message", "fieldName"].includes(k)), res.text);
    assert.ok(typeof e.message === "string" && e.message.length > 0);
  }
  assert.equal(body.error.errors[0]?.errorType, errorType, res.text);
  return body;
}

/** Asserts the Hashed Records document's error answer: exactly `{errorMessage}` in a vendor media type. */
export function expectHashedError(res: HttpResult, status: number, mediaType: string = HASHED_V3): string {
  assert.equal(res.status, status, res.text);
  assert.equal(res.headers["content-type"], mediaType);
  assert.deepEqual(Object.keys(res.json as object), ["errorMessage"], res.text);
  const { errorMessage } = res.json as { errorMessage: unknown };
  assert.ok(typeof errorMessage === "string" && errorMessage.length > 0);
  return errorMessage;
}
