/**
 * POST /dp/records/hashed: upload SHA-256 hashed PII by externalId. Re-sending an externalId
 * overwrites it. Only a digest per PII set and the field names are kept, never the hashes.
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import type { HashedField } from "../model";
import { hashedError, json, type SimResponse } from "../responses";
import { validateHashedBody, type HashedSet } from "../validation";
import type { Route, RouteContext } from "./types";

const REQUEST_V3 = "application/vnd.dpuploadhashedrecordsrequest.v3+json";
const RESPONSE_TYPES = ["application/vnd.dpuploadhashedrecordsresponse.v3+json", "application/vnd.dpuploadhashedrecordsresponse.v3.1+json"];

function mimeOf(header: string): string {
  return (header.split(";")[0] ?? "").trim().toLowerCase();
}

/** The response content type the Accept header allows, or undefined when it allows none. */
export function negotiateHashedResponse(accept: string | undefined): string | undefined {
  if (accept === undefined || accept.trim() === "") return "application/json";
  for (const range of accept.split(",").map(mimeOf)) {
    if (RESPONSE_TYPES.includes(range)) return range;
    if (range === "application/json" || range === "*/*" || range === "application/*") return "application/json";
  }
  return undefined;
}

function precheck(headers: IncomingHttpHeaders): SimResponse | undefined {
  const contentType = mimeOf(headers["content-type"] ?? "");
  if (contentType !== "application/json" && contentType !== REQUEST_V3) {
    return hashedError(415, `Invalid \`content-type\` header. Expected '${REQUEST_V3}' or 'application/json'.`);
  }
  if (negotiateHashedResponse(headers.accept) === undefined) {
    return hashedError(415, `Invalid \`accept\` header. Expected one of ${RESPONSE_TYPES.join(", ")}.`);
  }
  return undefined;
}

/** Digest of one PII set: SHA-256 over its sorted `field=hash` lines, first 32 hex chars. */
export function digestOf(set: HashedSet): string {
  const lines = Object.entries(set)
    .map(([k, v]) => `${k}=${v}`)
    .sort();
  return createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 32);
}

function uploadHashed(ctx: RouteContext): SimResponse {
  let body: unknown;
  try {
    // No int64 fields in this schema, so the native parser is exact and fastest for 5 MB.
    body = JSON.parse(ctx.body.toString("utf8"));
  } catch (err) {
    return hashedError(400, `Failed to parse request data: ${(err as Error).message}`);
  }
  const v = validateHashedBody(body);
  if (!v.ok) return hashedError(400, v.errorMessage);
  ctx.note.records = v.value.length;

  // Several entries for one externalId in one request together replace what was stored.
  const merged = new Map<string, { digests: string[]; fields: Set<HashedField> }>();
  for (const { externalId, sets } of v.value) {
    let entry = merged.get(externalId);
    if (!entry) merged.set(externalId, (entry = { digests: [], fields: new Set() }));
    for (const set of sets) {
      entry.digests.push(digestOf(set));
      for (const f of Object.keys(set) as HashedField[]) entry.fields.add(f);
    }
  }
  const t = ctx.sim.options.clock();
  const r: Array<[string, string[], HashedField[], number]> = [];
  for (const [externalId, { digests, fields }] of merged) r.push([externalId, digests, [...fields].sort(), t]);
  ctx.sim.commit([{ k: "records", c: ctx.clientId, r }]);
  return json(200, { requestId: ctx.requestId }, { "content-type": negotiateHashedResponse(ctx.headers.accept) ?? "application/json" });
}

export const hashedRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/dp\/records\/hashed\/?$/,
    family: "hashed",
    auth: true,
    faultable: true,
    throttle: (limits) => ({ bucket: "hashed", tps: limits.hashedTps }),
    maxBytes: (limits) => limits.hashedMaxBytes,
    tooLargeMessage: (limits) => `Max request size is ${limits.hashedMaxBytes % 1_000_000 === 0 ? `${limits.hashedMaxBytes / 1_000_000} MB` : `${limits.hashedMaxBytes} bytes`}`,
    precheck,
    handle: uploadHashed,
  },
];
