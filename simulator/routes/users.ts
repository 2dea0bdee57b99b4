/**
 * PATCH /v2/dp/users: delete user data. Amazon has 30 days; the simulator applies it at once:
 * the record leaves the client's audiences (only that advertiser's, when `advertiserId` is
 * given), and for EXTERNAL_USER_ID without an advertiser the hashed record is forgotten too.
 */
import type { MembershipGroup, StateChange } from "../changes";
import { dpError, json, type SimResponse } from "../responses";
import { validateUsersBody } from "../validation";
import { parseDpBody, requireJsonBody } from "./common";
import type { Route, RouteContext } from "./types";

function deleteUsers(ctx: RouteContext): SimResponse {
  const parsed = parseDpBody(ctx.body, ctx.requestId);
  if (!parsed.ok) return parsed.response;
  const v = validateUsersBody(parsed.value, ctx.sim.options.limits.usersMaxUsers);
  if (!v.ok) return dpError(v.status, ctx.requestId, v.issues);
  const users = v.value;
  ctx.note.users = users.length;

  const { store, options } = ctx.sim;
  const groups: MembershipGroup[] = [];
  const forgetRecords: string[] = [];
  for (const u of users) {
    const ids = store.audiencesContaining(ctx.clientId, u.type, u.value, u.advertiserId);
    if (ids.length > 0) groups.push(["-", u.type, ids, [u.value]]);
    if (u.type === "EXTERNAL_USER_ID" && u.advertiserId === undefined && store.hasRecord(ctx.clientId, u.value)) {
      forgetRecords.push(u.value);
    }
  }
  const changes: StateChange[] = [];
  if (groups.length > 0) changes.push({ k: "members", g: groups });
  if (forgetRecords.length > 0) changes.push({ k: "records-delete", c: ctx.clientId, x: forgetRecords });
  changes.push({ k: "deletion", d: { requestId: ctx.requestId, clientId: ctx.clientId, t: options.clock(), users } });
  ctx.sim.commit(changes);
  return json(202, { requestId: ctx.requestId });
}

export const usersRoutes: Route[] = [
  {
    method: "PATCH",
    pattern: /^\/v2\/dp\/users$/,
    family: "dp",
    auth: true,
    faultable: true,
    throttle: (limits) => ({ bucket: "users", tps: limits.usersTps }),
    maxBytes: (limits) => limits.usersMaxBytes,
    precheck: requireJsonBody,
    handle: deleteUsers,
  },
];
