/** The shape of a route: what the HTTP shell needs to know before and after calling it. */
import type { IncomingHttpHeaders } from "node:http";
import type { SimulatorCore } from "../core";
import type { SimulatorLimits } from "../options";
import type { ErrorFamily, SimResponse } from "../responses";

/** Counts a handler reports for the request log. */
export interface RequestNote {
  patches?: number;
  /** Of `patches`, the add and the remove ops. */
  adds?: number;
  removes?: number;
  users?: number;
  records?: number;
}

export interface RouteContext {
  sim: SimulatorCore;
  requestId: string;
  /** Authenticated client id; "" on routes without auth. */
  clientId: string;
  /** Capture groups of the route pattern. */
  params: string[];
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  note: RequestNote;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH";
  /** Matched against the path without the query string. */
  pattern: RegExp;
  family: ErrorFamily;
  /** Bearer token and client-id header required (Amazon's gateway). */
  auth: boolean;
  /** Subject to fault injection. */
  faultable: boolean;
  /** Token bucket: family name (shared by routes with the same name) and its rate. */
  throttle?: (limits: SimulatorLimits) => { bucket: string; tps: number };
  /** Body limit in bytes, checked before parsing. */
  maxBytes: (limits: SimulatorLimits) => number;
  /** Header checks before the body is read, e.g. 415 for a wrong content type. */
  precheck?: (headers: IncomingHttpHeaders, requestId: string) => SimResponse | undefined;
  /**
   * Content-Type of every answer of the route (errors from auth, throttle and faults included),
   * from the request's headers and the answer's status. @default "application/json"
   */
  responseType?: (headers: IncomingHttpHeaders, status: number) => string;
  /** Message of the family-shaped 413. */
  tooLargeMessage?: (limits: SimulatorLimits) => string;
  handle(ctx: RouteContext): SimResponse;
}
