/** Helpers shared by the Amazon routes: JSON content-type check, lossless body parsing, audience JSON. */
import type { IncomingHttpHeaders } from "node:http";
import { JsonSyntaxError, parseJsonLossless, type JsonValue } from "../int64-json";
import type { AudienceSize, StoredAudience } from "../model";
import { dpError, type SimResponse } from "../responses";

/** Bodies of audiencemetadata requests are small; this bounds them anyway. */
export const METADATA_MAX_BYTES = 1_000_000;

/** `application/json` or any `application/...+json`, parameters allowed. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const mime = header.split(";")[0]?.trim().toLowerCase() ?? "";
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

export function requireJsonBody(headers: IncomingHttpHeaders, requestId: string): SimResponse | undefined {
  if (isJsonContentType(headers["content-type"])) return undefined;
  return dpError(415, requestId, [
    { errorType: "UNSUPPORTED_MEDIA_TYPE", message: `Content-Type must be application/json, got '${headers["content-type"] ?? ""}'` },
  ]);
}

/** Parses a dp-family body keeping int64 exact; a syntax error becomes the 400 Amazon sends. */
export function parseDpBody(body: Buffer, requestId: string): { ok: true; value: JsonValue } | { ok: false; response: SimResponse } {
  try {
    return { ok: true, value: parseJsonLossless(body.toString("utf8")) };
  } catch (err) {
    const detail = err instanceof JsonSyntaxError ? err.message : "unreadable body";
    return { ok: false, response: dpError(400, requestId, [{ errorType: "INVALID_INPUT", message: `Malformed JSON: ${detail}` }]) };
  }
}

/** The audience object of create/GET/PUT responses; ids become bare JSON numbers. */
export function audienceJson(a: StoredAudience, audienceSize?: AudienceSize): Record<string, unknown> {
  return {
    id: BigInt(a.id),
    name: a.name,
    description: a.description,
    advertiserId: BigInt(a.advertiserId),
    metadata: {
      type: a.type,
      externalAudienceId: a.externalAudienceId,
      ttl: a.ttl,
      audienceFees: a.audienceFees,
      dataSourceCountry: a.dataSourceCountry,
      audienceSize,
    },
  };
}
