/** PATCH /v2/dp/audience: associate records with audiences (or remove them), asynchronously. */
import { randomUUID } from "node:crypto";
import { batchFromOps, type PatchBatch } from "../patch-batch";
import { decodePatchBodyFast } from "../patch-decoder";
import { dpError, json, type SimResponse } from "../responses";
import type { Store } from "../store";
import { validatePatchBody } from "../validation";
import { parseDpBody, requireJsonBody } from "./common";
import type { Route, RouteContext } from "./types";

function patchAudiences(ctx: RouteContext): SimResponse {
  const { limits, patchApplyDelayMs } = ctx.sim.options;
  let batch = decodePatchBodyFast(ctx.body, limits.audienceMaxPatches);
  if (batch === undefined) {
    const parsed = parseDpBody(ctx.body, ctx.requestId);
    if (!parsed.ok) return parsed.response;
    const v = validatePatchBody(parsed.value, limits.audienceMaxPatches);
    if (!v.ok) return dpError(v.status, ctx.requestId, v.issues);
    batch = batchFromOps(v.value);
  }
  ctx.note.patches = batch.length;
  let adds = 0;
  for (let k = 0; k < batch.length; k++) adds += batch.add[k] as number;
  ctx.note.adds = adds;
  ctx.note.removes = batch.length - adds;
  const ids = usableAudienceIds(batch, ctx.sim.store, ctx.clientId);
  if (ids.some((list) => list.length > 0)) ctx.sim.commitLater(patchApplyDelayMs, [{ k: "batch", b: batch, ids }]);
  return json(200, { jobId: randomUUID(), requestId: ctx.requestId });
}

/**
 * Per op, the audience ids the client owns (deduplicated): Amazon's job silently skips ids it
 * cannot use. Lists shared by consecutive ops stay shared.
 */
export function usableAudienceIds(batch: PatchBatch, store: Store, clientId: string): Array<readonly string[]> {
  const out: Array<readonly string[]> = [];
  let source: readonly string[] | undefined;
  let usable: readonly string[] = [];
  for (const ids of batch.audienceIds) {
    if (ids !== source) {
      source = ids;
      usable = ids.filter((id, i) => ids.indexOf(id) === i && store.peekAudience(id)?.clientId === clientId);
    }
    out.push(usable);
  }
  return out;
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
