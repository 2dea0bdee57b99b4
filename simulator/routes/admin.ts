/**
 * `/__sim/*`: the simulator's own admin API (not Amazon's; no auth, no faults, no throttle).
 * Ids are JSON strings here, so plain `JSON.parse` clients can read them.
 */
import type { MembershipGroup } from "../changes";
import { checkFaultOptions } from "../faults";
import { RECORD_TYPES, type RecordType } from "../model";
import type { FaultOptions } from "../options";
import { gatewayError, json, type SimResponse } from "../responses";
import type { Route, RouteContext } from "./types";

const admin = { family: "admin", auth: false, faultable: false, maxBytes: () => 64 * 1024 } satisfies Partial<Route>;

function listAudiences(ctx: RouteContext): SimResponse {
  const { store } = ctx.sim;
  const audiences = store.listAudiences().map((a) => ({
    ...a,
    members: store.memberCounts(a.id),
    audienceSize: store.audienceSize(a.id),
  }));
  return json(200, { audiences });
}

function audienceMembers(ctx: RouteContext): SimResponse {
  const id = decodeURIComponent(ctx.params[0] ?? "");
  const members = ctx.sim.store.members(id);
  return members ? json(200, members) : gatewayError(404, "NOT_FOUND", `No audience with id ${id}`);
}

/** `{add?: {COOKIE?: [...], ...}, remove?: {...}}`: the change, or why the body is not one. */
export function parseMemberChange(audienceId: string, value: unknown): { ok: true; groups: MembershipGroup[] } | { ok: false; problem: string } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, problem: "the body must be {add?, remove?}" };
  const groups: MembershipGroup[] = [];
  for (const [key, byType] of Object.entries(value as Record<string, unknown>)) {
    if (key !== "add" && key !== "remove") return { ok: false, problem: `unknown key '${key}': expected add or remove` };
    if (typeof byType !== "object" || byType === null || Array.isArray(byType)) return { ok: false, problem: `${key} must map record types to lists of values` };
    for (const [type, values] of Object.entries(byType as Record<string, unknown>)) {
      if (!RECORD_TYPES.includes(type as RecordType)) return { ok: false, problem: `${key}.${type}: not one of ${RECORD_TYPES.join(", ")}` };
      if (!Array.isArray(values) || !values.every((v) => typeof v === "string" && v !== "")) {
        return { ok: false, problem: `${key}.${type} must be a list of non-empty strings` };
      }
      if (values.length > 0) groups.push([key === "add" ? "+" : "-", type as RecordType, [audienceId], values as string[]]);
    }
  }
  return { ok: true, groups };
}

/**
 * Changes members out of band, the way a console user or another tool would: no Amazon request,
 * no throttle or fault, logged like any state change. Removes are applied before adds.
 */
function changeMembers(ctx: RouteContext): SimResponse {
  const id = decodeURIComponent(ctx.params[0] ?? "");
  if (!ctx.sim.store.peekAudience(id)) return gatewayError(404, "NOT_FOUND", `No audience with id ${id}`);
  let body: unknown;
  try {
    body = JSON.parse(ctx.body.toString("utf8"));
  } catch {
    return gatewayError(400, "INVALID_INPUT", "The body must be JSON: {add?: {COOKIE: [...]}, remove?: {...}}");
  }
  const change = parseMemberChange(id, body);
  if (!change.ok) return gatewayError(400, "INVALID_INPUT", change.problem);
  const ordered = [...change.groups.filter((g) => g[0] === "-"), ...change.groups.filter((g) => g[0] === "+")];
  if (ordered.length > 0) ctx.sim.commit([{ k: "members", g: ordered }]);
  return json(200, { members: ctx.sim.store.memberCounts(id) });
}

function listRecords(ctx: RouteContext): SimResponse {
  const full = ctx.query.get("full") === "1";
  const clientId = ctx.query.get("clientId") ?? undefined;
  const out: Record<string, unknown> = {};
  for (const [externalId, r] of ctx.sim.store.records(clientId)) {
    out[externalId] = full ? { sets: r.digests.length, fields: r.fields, digests: r.digests } : { sets: r.digests.length, fields: r.fields };
  }
  return json(200, out);
}

function listDeletions(ctx: RouteContext): SimResponse {
  return json(200, { deletions: ctx.sim.store.deletions() });
}

function listRequests(ctx: RouteContext): SimResponse {
  const since = Number(ctx.query.get("since") ?? "0");
  if (!Number.isInteger(since) || since < 0) return gatewayError(400, "INVALID_INPUT", "since must be a non-negative integer");
  return json(200, { requests: ctx.sim.store.requests(since) });
}

function reset(ctx: RouteContext): SimResponse {
  ctx.sim.reset();
  return json(200, { reset: true });
}

function setFaults(ctx: RouteContext): SimResponse {
  let body: unknown;
  try {
    body = ctx.body.length === 0 ? {} : JSON.parse(ctx.body.toString("utf8"));
  } catch {
    return gatewayError(400, "INVALID_INPUT", "The body must be a JSON FaultOptions object");
  }
  const problem = checkFaultOptions(body);
  if (problem) return gatewayError(400, "INVALID_INPUT", problem);
  ctx.sim.faults.set(body as FaultOptions);
  return json(200, { faults: ctx.sim.faults.current, remaining: ctx.sim.faults.remaining });
}

function health(ctx: RouteContext): SimResponse {
  return json(200, { status: "ok", audiences: ctx.sim.store.listAudiences().length, faults: ctx.sim.faults.current, remaining: ctx.sim.faults.remaining });
}

export const adminRoutes: Route[] = [
  { ...admin, method: "GET", pattern: /^\/__sim\/audiences\/?$/, handle: listAudiences },
  { ...admin, method: "GET", pattern: /^\/__sim\/audiences\/([^/]+)\/members\/?$/, handle: audienceMembers },
  { ...admin, method: "POST", pattern: /^\/__sim\/audiences\/([^/]+)\/members\/?$/, maxBytes: () => 64 * 1024 * 1024, handle: changeMembers },
  { ...admin, method: "GET", pattern: /^\/__sim\/records\/?$/, handle: listRecords },
  { ...admin, method: "GET", pattern: /^\/__sim\/deletions\/?$/, handle: listDeletions },
  { ...admin, method: "GET", pattern: /^\/__sim\/requests\/?$/, handle: listRequests },
  { ...admin, method: "POST", pattern: /^\/__sim\/reset\/?$/, handle: reset },
  { ...admin, method: "POST", pattern: /^\/__sim\/faults\/?$/, handle: setFaults },
  { ...admin, method: "GET", pattern: /^\/__sim\/health\/?$/, handle: health },
];
