/**
 * The HTTP shell: routing table and the request pipeline every Amazon route goes through.
 *
 *   route → fault → auth (401/403) → throttle (429) → header precheck (415) → body limit (413)
 *   → handler → (applyThenFail) → response → request log
 *
 * A fault short-circuits before auth, throttle and handler, so a faulted request changes no
 * state (except with `applyThenFail`). Handlers are synchronous, so requests never interleave
 * inside a state change.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { bearerToken } from "./auth";
import type { SimulatorCore } from "./core";
import type { FaultDecision } from "./faults";
import { readBody } from "./http-body";
import type { RequestLogEntry } from "./model";
import { familyError, json, type SimResponse } from "./responses";
import { adminRoutes } from "./routes/admin";
import { audienceRoutes } from "./routes/audience";
import { hashedRoutes } from "./routes/hashed";
import { metadataRoutes } from "./routes/metadata";
import { tokenRoutes } from "./routes/token";
import type { RequestNote, Route, RouteContext } from "./routes/types";
import { usersRoutes } from "./routes/users";

export const ROUTES: readonly Route[] = [...tokenRoutes, ...metadataRoutes, ...audienceRoutes, ...usersRoutes, ...hashedRoutes, ...adminRoutes];

const CLIENT_ID_HEADER = "amazon-advertising-api-clientid";

export function findRoute(method: string, path: string): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path);
    if (m) return { route, params: m.slice(1).map((p) => safeDecode(p ?? "")) };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function createSimulatorServer(sim: SimulatorCore): Server {
  const server = createServer((req, res) => {
    handle(sim, req, res).catch((err: unknown) => {
      sim.options.log?.(`simulator: internal error: ${(err as Error)?.stack ?? String(err)}`);
      if (!res.headersSent) {
        const requestId = randomUUID();
        send(res, internalError(req, requestId), requestId);
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  return server;
}

/** A 500 for a simulator bug outside the handlers: in the route's error shape when there is a route. */
function internalError(req: IncomingMessage, requestId: string): SimResponse {
  const found = findRoute(req.method ?? "GET", (req.url ?? "/").split("?")[0] ?? "/");
  if (!found) return json(500, { code: "INTERNAL_ERROR", details: "simulator bug; see log" });
  const { route } = found;
  return withContentType(familyError(route.family, 500, requestId), route.responseType?.(req.headers, 500));
}

async function handle(sim: SimulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { options } = sim;
  const method = req.method ?? "GET";
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const requestId = randomUUID();
  const entry: RequestLogEntry = { seq: 0, t: options.clock(), method, path, status: 0, requestId, bytes: 0 };
  const found = findRoute(method, path);
  const finish = (response: SimResponse | undefined): void => {
    if (response) send(res, withContentType(response, found?.route.responseType?.(req.headers, response.status)), requestId);
    entry.status = response?.status ?? 0;
    entry.seq = sim.store.nextRequestSeq();
    sim.commit([{ k: "request", e: entry }]);
    options.log?.(formatLogLine(entry));
  };

  if (!found) {
    const name = `${method} ${path}`;
    return finish(json(501, { code: "NOT_IMPLEMENTED", details: `The simulator has no route ${name}`, route: name }));
  }
  const { route, params } = found;

  const fault: FaultDecision = route.faultable ? sim.faults.decide(path, method) : { kind: "none", latencyMs: 0, applyThenFail: false };
  if (fault.latencyMs > 0) await options.sleep(fault.latencyMs);
  if (fault.kind !== "none" && !fault.applyThenFail) {
    entry.fault = fault.kind;
    if (fault.kind === "drop") {
      req.socket.destroy();
      return finish(undefined);
    }
    const status = Number(fault.kind);
    return finish(withRetryAfter(familyError(route.family, status, requestId), status === 429 ? 1 : undefined));
  }

  let clientId = "";
  if (route.auth) {
    const auth = authenticate(sim, req);
    // The gateway's 401/403 in the route's own documented error shape.
    if (!auth.ok) return finish(familyError(route.family, auth.status, requestId, auth.message));
    clientId = entry.clientId = auth.clientId;
  }

  if (route.throttle) {
    const { bucket, tps } = route.throttle(options.limits);
    const verdict = sim.throttle.check(bucket, clientId, tps, options.limits.throttleBurst);
    if (!verdict.ok) return finish(withRetryAfter(familyError(route.family, 429, requestId), verdict.retryAfterSeconds));
  }

  const early = route.precheck?.(req.headers, requestId);
  if (early) return finish(early);

  const maxBytes = route.maxBytes(options.limits);
  const body = await readBody(req, maxBytes);
  if (!body.ok) {
    entry.bytes = body.bytes;
    if (body.reason === "aborted") return finish(undefined);
    const message = route.tooLargeMessage?.(options.limits) ?? `The request body exceeds ${maxBytes} bytes.`;
    return finish(familyError(route.family, 413, requestId, message));
  }
  entry.bytes = body.body.length;

  const note: RequestNote = {};
  const ctx: RouteContext = { sim, requestId, clientId, params, query: new URLSearchParams(q < 0 ? "" : url.slice(q + 1)), headers: req.headers, body: body.body, note };
  let response: SimResponse;
  try {
    response = route.handle(ctx);
  } catch (err) {
    options.log?.(`simulator: handler error: ${(err as Error)?.stack ?? String(err)}`);
    response = familyError(route.family, 500, requestId);
  }
  Object.assign(entry, note);
  if (fault.applyThenFail) {
    entry.fault = `applyThenFail:${fault.kind}`;
    response = familyError(route.family, Number(fault.kind), requestId);
  }
  finish(response);
}

type AuthResult = { ok: true; clientId: string } | { ok: false; status: 401 | 403; message: string };

/** Amazon's gateway: a valid bearer token (401) for a known client id matching the header (403). */
function authenticate(sim: SimulatorCore, req: IncomingMessage): AuthResult {
  const token = bearerToken(req.headers.authorization, sim.options.strictAuthorizationHeader);
  if (token === undefined) return { ok: false, status: 401, message: "Missing or malformed Authorization header; expected 'Bearer <access token>'" };
  const check = sim.tokens.verify(token);
  if (!check.ok) return { ok: false, status: 401, message: check.reason };
  const header = req.headers[CLIENT_ID_HEADER];
  const clientId = Array.isArray(header) ? header[0] : header;
  if (clientId === undefined || clientId === "") return { ok: false, status: 403, message: "Missing Amazon-Advertising-API-ClientId header" };
  if (!sim.tokens.client(clientId)) return { ok: false, status: 403, message: `Unknown Amazon-Advertising-API-ClientId '${clientId}'` };
  if (clientId !== check.clientId) return { ok: false, status: 403, message: "The access token was issued to a different client id" };
  return { ok: true, clientId };
}

function withContentType(response: SimResponse, contentType: string | undefined): SimResponse {
  return contentType === undefined ? response : { ...response, headers: { ...response.headers, "content-type": contentType } };
}

function withRetryAfter(response: SimResponse, seconds: number | undefined): SimResponse {
  return seconds === undefined ? response : { ...response, headers: { ...response.headers, "retry-after": String(seconds) } };
}

function send(res: ServerResponse, response: SimResponse, requestId: string): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | number> = {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(response.body),
    ...response.headers,
  };
  if (requestId !== "") headers["x-amzn-requestid"] = requestId;
  res.writeHead(response.status, headers);
  res.end(response.body);
}

export function formatLogLine(e: RequestLogEntry): string {
  const counts = [e.patches && `patches=${e.patches}`, e.users && `users=${e.users}`, e.records && `records=${e.records}`].filter(Boolean).join(" ");
  return `#${e.seq} ${e.method} ${e.path} -> ${e.status || "dropped"}${e.fault ? ` [fault ${e.fault}]` : ""} ${e.bytes}B${counts ? ` ${counts}` : ""}`;
}
