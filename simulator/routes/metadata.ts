/** /v2/dp/audiencemetadata: create (POST), read (GET) and partially update (PUT) audiences. */
import type { StoredAudience } from "../model";
import { dpError, json, type SimResponse } from "../responses";
import { parseAudienceIdParam, validateCreateAudience, validateUpdateAudience } from "../validation";
import { audienceJson, METADATA_MAX_BYTES, parseDpBody, requireJsonBody } from "./common";
import type { Route, RouteContext } from "./types";

const shared = {
  family: "dp",
  auth: true,
  faultable: true,
  // POST, GET and PUT share one 1 TPS bucket per client id.
  throttle: (limits) => ({ bucket: "audiencemetadata", tps: limits.metadataTps }),
  maxBytes: () => METADATA_MAX_BYTES,
} satisfies Partial<Route>;

/** Logs which fields a create or update asked to set (`description`, `metadata.ttl`, …), so tests can hold a request to what it should carry. */
function noteFields(ctx: RouteContext, body: unknown): void {
  const keys = (value: unknown): string[] => (typeof value === "object" && value !== null && !Array.isArray(value) ? Object.keys(value) : []);
  const metadata = (body as { metadata?: unknown } | null)?.metadata;
  ctx.note.fields = [...keys(body).filter((k) => k !== "metadata"), ...keys(metadata).map((k) => `metadata.${k}`)].sort();
}

function createAudience(ctx: RouteContext): SimResponse {
  const parsed = parseDpBody(ctx.body, ctx.requestId);
  if (!parsed.ok) return parsed.response;
  noteFields(ctx, parsed.value);
  const v = validateCreateAudience(parsed.value);
  if (!v.ok) return dpError(v.status, ctx.requestId, v.issues);
  const input = v.value;
  const { store, options } = ctx.sim;
  if (store.findByExternalAudienceId(ctx.clientId, input.advertiserId, input.externalAudienceId)) {
    return dpError(400, ctx.requestId, [
      {
        errorType: "INVALID_INPUT",
        message: `An audience with externalAudienceId '${input.externalAudienceId}' already exists for advertiser ${input.advertiserId}`,
        fieldName: "externalAudienceId",
      },
    ]);
  }
  const now = options.clock();
  const audience: StoredAudience = {
    id: store.nextAudienceId(),
    clientId: ctx.clientId,
    name: input.name,
    description: input.description,
    advertiserId: input.advertiserId,
    type: "DATA_PROVIDER",
    externalAudienceId: input.externalAudienceId,
    ttl: input.ttl,
    audienceFees: input.audienceFees,
    dataSourceCountry: input.dataSourceCountry,
    createdAt: now,
    updatedAt: now,
  };
  ctx.sim.commit([{ k: "audience", a: audience }]);
  return json(200, { requestId: ctx.requestId, audience: audienceJson(audience) });
}

/** The caller's audience named by the path, or the 400/403/404 to answer. */
function ownAudience(ctx: RouteContext): { ok: true; audience: Readonly<StoredAudience> } | { ok: false; response: SimResponse } {
  const raw = decodeURIComponent(ctx.params[0] ?? "");
  const id = parseAudienceIdParam(raw);
  if (id === undefined) {
    const issue = { errorType: "INVALID_INPUT", message: `The audienceId '${raw}' is not a valid int64 id`, fieldName: "audienceId" };
    return { ok: false, response: dpError(400, ctx.requestId, [issue]) };
  }
  const audience = ctx.sim.store.peekAudience(id);
  if (!audience) {
    const issue = { errorType: "NOT_FOUND", message: `Audience ${id} was not found`, fieldName: "audienceId" };
    return { ok: false, response: dpError(404, ctx.requestId, [issue]) };
  }
  if (audience.clientId !== ctx.clientId) {
    const issue = { errorType: "FORBIDDEN", message: `The client is not allowed to access audience ${id}`, fieldName: "audienceId" };
    return { ok: false, response: dpError(403, ctx.requestId, [issue]) };
  }
  return { ok: true, audience };
}

function getAudience(ctx: RouteContext): SimResponse {
  const found = ownAudience(ctx);
  if (!found.ok) return found.response;
  const a = found.audience;
  return json(200, { requestId: ctx.requestId, audience: audienceJson(a, ctx.sim.store.audienceSize(a.id)) });
}

function updateAudience(ctx: RouteContext): SimResponse {
  const found = ownAudience(ctx);
  if (!found.ok) return found.response;
  const parsed = parseDpBody(ctx.body, ctx.requestId);
  if (!parsed.ok) return parsed.response;
  noteFields(ctx, parsed.value);
  const v = validateUpdateAudience(parsed.value);
  if (!v.ok) return dpError(v.status, ctx.requestId, v.issues);
  // Partial merge: omitted fields keep their values.
  const updated: StoredAudience = { ...found.audience, ...v.value, updatedAt: ctx.sim.options.clock() };
  ctx.sim.commit([{ k: "audience", a: updated }]);
  return json(200, { requestId: ctx.requestId, audience: audienceJson(updated) });
}

export const metadataRoutes: Route[] = [
  { ...shared, method: "POST", pattern: /^\/v2\/dp\/audiencemetadata\/?$/, precheck: requireJsonBody, handle: createAudience },
  { ...shared, method: "GET", pattern: /^\/v2\/dp\/audiencemetadata\/([^/]+)\/?$/, handle: getAudience },
  { ...shared, method: "PUT", pattern: /^\/v2\/dp\/audiencemetadata\/([^/]+)\/?$/, precheck: requireJsonBody, handle: updateAudience },
];
