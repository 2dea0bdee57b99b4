/**
 * POST /auth/o2/token: Login with Amazon's refresh-token grant. Client credentials come from the
 * form or from HTTP Basic auth; errors use OAuth2's `{error, error_description}`.
 */
import { json, oauthError, type SimResponse } from "../responses";
import type { Route, RouteContext } from "./types";

function readForm(ctx: RouteContext): Record<string, string> | undefined {
  const mime = (ctx.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  const text = ctx.body.toString("utf8");
  if (mime === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  if (mime === "application/json") {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
      return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === "string"));
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function basicAuth(header: string | undefined): { id: string; secret: string } | undefined {
  const m = header === undefined ? null : /^Basic\s+(\S+)$/i.exec(header);
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}

const missing = (name: string): SimResponse => oauthError(400, "invalid_request", `The request is missing a required parameter : ${name}`);

function issueToken(ctx: RouteContext): SimResponse {
  const form = readForm(ctx);
  if (!form) return oauthError(400, "invalid_request", "The request body must be application/x-www-form-urlencoded");
  const grantType = form.grant_type;
  if (grantType === undefined) return missing("grant_type");
  if (grantType !== "refresh_token") return oauthError(400, "unsupported_grant_type", `The grant type '${grantType}' is not supported`);
  const basic = basicAuth(ctx.headers.authorization);
  const clientId = form.client_id ?? basic?.id;
  const clientSecret = form.client_secret ?? basic?.secret;
  if (clientId === undefined) return missing("client_id");
  if (clientSecret === undefined) return missing("client_secret");
  const refreshToken = form.refresh_token;
  if (refreshToken === undefined) return missing("refresh_token");

  const client = ctx.sim.tokens.client(clientId);
  if (!client || client.clientSecret !== clientSecret) return oauthError(401, "invalid_client", "Client authentication failed");
  if (client.refreshToken !== refreshToken) return oauthError(400, "invalid_grant", "The request has an invalid grant parameter : refresh_token");
  const { accessToken, expiresIn } = ctx.sim.tokens.issue(client);
  return json(200, { access_token: accessToken, refresh_token: client.refreshToken, token_type: "bearer", expires_in: expiresIn });
}

export const tokenRoutes: Route[] = [
  {
    method: "POST",
    pattern: /^\/auth\/o2\/token\/?$/,
    family: "oauth",
    auth: false,
    faultable: false,
    maxBytes: () => 64 * 1024,
    handle: issueToken,
  },
];
