/** PATCH /v2/dp/audience: associate records with audiences (or remove them), asynchronously. */
import { randomUUID } from "node:crypto";
import type { MembershipGroup } from "../changes";
import type { MembershipOp } from "../model";
import { decodePatchBodyFast } from "../patch-decoder";
import { dpError, json, type SimResponse } from "../responses";
import type { Store } from "../store";
import { validatePatchBody } from "../validation";
import { parseDpBody, requireJsonBody } from "./common";
import type { Route, RouteContext } from "./types";

function patchAudiences(ctx: RouteContext): SimResponse {
  const { limits, patchApplyDelayMs } = ctx.sim.options;
  let ops = decodePatchBodyFast(ctx.body, limits.audienceMaxPatches);
  if (ops === undefined) {
    const parsed = parseDpBody(ctx.body, ctx.requestId);
    if (!parsed.ok) return parsed.response;
    const v = validatePatchBody(parsed.value, limits.audienceMaxPatches);
    if (!v.ok) return dpError(v.status, ctx.requestId, v.issues);
    ops = v.value;
  }
  ctx.note.patches = ops.length;
  const groups = toGroups(ops, ctx.sim.store, ctx.clientId);
  if (groups.length > 0) ctx.sim.commitLater(patchApplyDelayMs, [{ k: "members", g: groups }]);
  return json(200, { jobId: randomUUID(), requestId: ctx.requestId });
}

/**
 * Groups consecutive ops with the same op, type and audience list into compact changes, keeping
 * only audiences the client owns: Amazon's job silently skips ids it cannot use.
 */
export function toGroups(ops: readonly MembershipOp[], store: Store, clientId: string): MembershipGroup[] {
  const groups: MembershipGroup[] = [];
  let current: MembershipGroup | undefined;
  let currentSource: readonly string[] | undefined;
  let currentAdd = false;
  let usable: string[] = [];
  for (const op of ops) {
    if (op.audienceIds !== currentSource) {
      currentSource = op.audienceIds;
      usable = op.audienceIds.filter((id, i, all) => all.indexOf(id) === i && store.peekAudience(id)?.clientId === clientId);
      current = undefined;
    }
    if (usable.length === 0) continue;
    if (!current || currentAdd !== op.add || current[1] !== op.type) {
      current = [op.add ? "+" : "-", op.type, usable, []];
      currentAdd = op.add;
      groups.push(current);
    }
    current[3].push(op.value);
  }
  return groups;
}

export const audienceRoutes: Route[] = [
  {
    method: "PATCH",
    pattern: /^\/v2\/dp\/audience$/,
    family: "dp",
    auth: true,
    faultable: true,
    throttle: (limits) => ({ bucket: "audience", tps: limits.audienceTps }),
    maxBytes: (limits) => limits.audienceMaxBytes,
    tooLargeMessage: (limits) => `The input payload exceeds ${formatBytes(limits.audienceMaxBytes)} limit.`,
    precheck: requireJsonBody,
    handle: patchAudiences,
  },
];

/** "1MB" for 1,000,000 bytes, as in Amazon's message. */
export function formatBytes(n: number): string {
  return n % 1_000_000 === 0 ? `${n / 1_000_000}MB` : `${n} bytes`;
}
