/**
 * Media types of POST /dp/records/hashed, as the Hashed Records OpenAPI document (v3.0) gives them:
 * the request body is `…request.v3+json`; every answer (200 and each error status) is
 * `…response.v3+json`, and a 400 may also be `…response.v3.1+json`. Nothing is answered as plain
 * `application/json`. Pure: header text in, media type out.
 */

export const HASHED_REQUEST_V3 = "application/vnd.dpuploadhashedrecordsrequest.v3+json";
export const HASHED_RESPONSE_V3 = "application/vnd.dpuploadhashedrecordsresponse.v3+json";
export const HASHED_RESPONSE_V3_1 = "application/vnd.dpuploadhashedrecordsresponse.v3.1+json";

/** One media range of an Accept header, e.g. `application/*;q=0.5`. */
interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

/** The bare media type of a Content-Type or Accept entry: parameters dropped, lowercased. */
export function mimeOf(header: string): string {
  return (header.split(";")[0] ?? "").trim().toLowerCase();
}

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/** Media ranges of an Accept header; a range with a malformed `q` counts as not acceptable. */
function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const entry of header.split(",")) {
    const [mime = "", ...params] = entry.split(";");
    const slash = mime.indexOf("/");
    if (slash <= 0) continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf("=");
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== "q") continue;
      const value = param.slice(eq + 1).trim();
      q = QVALUE.test(value) ? Number(value) : 0;
    }
    ranges.push({ type: mime.slice(0, slash).trim().toLowerCase(), subtype: mime.slice(slash + 1).trim().toLowerCase(), q });
  }
  return ranges;
}

/** How the Accept header rates `mediaType`: the q of the most specific matching range (RFC 9110 §12.5.1). */
function rate(ranges: readonly MediaRange[], mediaType: string): { q: number; specificity: number } {
  const [type, subtype] = mediaType.split("/");
  let best = { q: 0, specificity: -1 };
  for (const r of ranges) {
    const specificity = r.type === "*" && r.subtype === "*" ? 0 : r.type === type && r.subtype === "*" ? 1 : r.type === type && r.subtype === subtype ? 2 : -1;
    if (specificity > best.specificity) best = { q: r.q, specificity };
  }
  return best;
}

/**
 * Whether the request's Accept allows the v3 response type, the one every answer of the
 * operation is documented in (a missing or empty Accept allows anything). Without it the 200
 * could not be served, so the request is refused with 415 before its body is read.
 */
export function acceptsHashedResponse(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === "") return true;
  return rate(parseAccept(accept), HASHED_RESPONSE_V3).q > 0;
}

/**
 * The media type of a hashed-records answer with this status: v3, or v3.1 for a 400 when the
 * Accept rates v3.1 above v3 (higher q, or the same q by a more specific range). When the Accept
 * allows neither (the 415 that refuses it, or an auth error answered before it was checked) the
 * answer is v3, the documented type of every status.
 */
export function hashedResponseType(accept: string | undefined, status: number): string {
  if (status !== 400 || accept === undefined) return HASHED_RESPONSE_V3;
  const ranges = parseAccept(accept);
  const v3 = rate(ranges, HASHED_RESPONSE_V3);
  const v31 = rate(ranges, HASHED_RESPONSE_V3_1);
  const prefers31 = v31.q > v3.q || (v31.q === v3.q && v31.q > 0 && v31.specificity > v3.specificity);
  return prefers31 ? HASHED_RESPONSE_V3_1 : HASHED_RESPONSE_V3;
}
