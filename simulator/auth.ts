/**
 * Access tokens and the gateway checks in front of every Amazon route.
 *
 * Tokens are stateless: `Atza|sim.<payload>.<hmac>`, with the payload naming the client and the
 * expiry and the HMAC keyed by that client's secret and refresh token. They survive a simulator
 * restart (like real tokens survive a server deploy) and need no storage.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { SimulatorClientCredentials } from "./options";

const TOKEN_PREFIX = "Atza|sim.";

export type TokenCheck = { ok: true; clientId: string } | { ok: false; reason: string };

export class TokenAuthority {
  private readonly byClientId: Map<string, SimulatorClientCredentials>;

  constructor(
    clients: readonly SimulatorClientCredentials[],
    private readonly ttlSeconds: number,
    private readonly clock: () => number,
  ) {
    this.byClientId = new Map(clients.map((c) => [c.clientId, c]));
  }

  client(clientId: string): SimulatorClientCredentials | undefined {
    return this.byClientId.get(clientId);
  }

  issue(client: SimulatorClientCredentials): { accessToken: string; expiresIn: number } {
    const payload = Buffer.from(
      JSON.stringify({ c: client.clientId, x: this.clock() + this.ttlSeconds * 1000, n: randomBytes(6).toString("hex") }),
    ).toString("base64url");
    return { accessToken: `${TOKEN_PREFIX}${payload}.${sign(client, payload)}`, expiresIn: this.ttlSeconds };
  }

  verify(token: string): TokenCheck {
    const invalid: TokenCheck = { ok: false, reason: "The access token is invalid" };
    if (!token.startsWith(TOKEN_PREFIX)) return invalid;
    const [payload, signature, extra] = token.slice(TOKEN_PREFIX.length).split(".");
    if (payload === undefined || signature === undefined || extra !== undefined) return invalid;
    let claims: { c?: unknown; x?: unknown };
    try {
      claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { c?: unknown; x?: unknown };
    } catch {
      return invalid;
    }
    const client = typeof claims.c === "string" ? this.byClientId.get(claims.c) : undefined;
    if (!client || typeof claims.x !== "number") return invalid;
    const expected = Buffer.from(sign(client, payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return invalid;
    if (this.clock() >= claims.x) return { ok: false, reason: "The access token has expired" };
    return { ok: true, clientId: client.clientId };
  }
}

function sign(client: SimulatorClientCredentials, payload: string): string {
  return createHmac("sha256", `${client.clientSecret}\n${client.refreshToken}`).update(payload).digest("base64url");
}

/**
 * The token in an `Authorization` header. Amazon's guide sometimes omits `Bearer`; unless
 * `strict`, a bare `Atza|...` value is accepted too.
 */
export function bearerToken(header: string | undefined, strict: boolean): string | undefined {
  if (header === undefined) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (m) return m[1];
  if (!strict && /^Atza\|\S+$/.test(header.trim())) return header.trim();
  return undefined;
}
