/**
 * POST /dp/records/hashed: upload SHA-256 hashed PII by externalId. Re-sending an externalId
 * overwrites it. Only a digest per PII set and the field names are kept, never the hashes.
 * Every answer, errors included, carries a vendor media type (`hashed-media.ts`).
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { acceptsHashedResponse, HASHED_REQUEST_V3, HASHED_RESPONSE_V3, HASHED_RESPONSE_V3_1, hashedResponseType, mimeOf } from "../hashed-media";
import type { HashedField } from "../model";
import { hashedError, json, type SimResponse } from "../responses";
import { validateHashedBody, type HashedSet } from "../validation";
import type { Route, RouteContext } from "./types";

/**
 * The request media types: the document's v3 type, and plain JSON, which the same document's
 * Content-Type parameter and Amazon's guide both name.
 */
const REQUEST_TYPES = [HASHED_REQUEST_V3, "application/json"];

function precheck(headers: IncomingHttpHeaders): SimResponse | undefined {
  if (!REQUEST_TYPES.includes(mimeOf(headers["content-type"] ?? ""))) {
    return hashedError(415, `Invalid \`content-type\` header. Expected '${HASHED_REQUEST_V3}' or 'application/json'.`);
  }
  if (!acceptsHashedResponse(headers.accept)) {
    return hashedError(415, `Invalid \`accept\` header. This operation answers in '${HASHED_RESPONSE_V3}' (a 400 also in '${HASHED_RESPONSE_V3_1}').`);
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
  return json(200, { requestId: ctx.requestId });
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
    responseType: (headers, status) => hashedResponseType(headers.accept, status),
    handle: uploadHashed,
  },
];
