/**
 * Reads Amazon's several error body shapes into one record. Pure and
 * defensive: anything unrecognised yields an empty record, never a throw.
 *
 * Shapes (docs/amazon-api.md#media-types-and-error-shapes):
 * - DP metadata/users: `{requestId, error: {httpStatusCode: "400" | 400, description, errors?: [{errorType, message, fieldName?}]}}`
 * - Hashed records: `{errorMessage}`
 * - Ads API gateway: `{code, details}`; some gateways: `{message}`
 * - Login with Amazon (OAuth 2): `{error: "invalid_grant", error_description}`
 */
export interface ParsedErrorBody {
  requestId?: string;
  /** Amazon's human-readable explanation. */
  description?: string;
  /** Machine-readable code, e.g. `INVALID_INPUT`, `UNAUTHORIZED`, `invalid_grant`. */
  errorType?: string;
  /** Offending input field, when Amazon names one. */
  fieldName?: string;
  /** Status the body claims, when present (`httpStatusCode`). */
  statusCode?: number;
}

const MAX_TEXT_CHARS = 500;
const MAX_EXCERPT_CHARS = 200;

export function parseErrorBody(bodyText: string): ParsedErrorBody {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    // Not JSON (an HTML gateway page, say): keep a short excerpt as the description.
    const excerpt = bodyText.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
    return excerpt.length > 0 ? { description: truncate(excerpt, MAX_EXCERPT_CHARS) } : {};
  }
  if (!isRecord(body)) return {};

  const parsed: ParsedErrorBody = {};
  assignText(parsed, "requestId", body["requestId"]);

  const error = body["error"];
  if (isRecord(error)) {
    assignText(parsed, "description", error["description"]);
    const statusCode = toStatusCode(error["httpStatusCode"]);
    if (statusCode !== undefined) parsed.statusCode = statusCode;
    const first = Array.isArray(error["errors"]) ? (error["errors"] as unknown[])[0] : undefined;
    if (isRecord(first)) {
      assignText(parsed, "errorType", first["errorType"]);
      assignText(parsed, "fieldName", first["fieldName"]);
      if (parsed.description === undefined) assignText(parsed, "description", first["message"]);
      else if (typeof first["message"] === "string" && first["message"] !== parsed.description) {
        parsed.description = truncate(`${parsed.description}: ${first["message"]}`);
      }
    }
    return parsed;
  }
  if (typeof error === "string") {
    // OAuth 2 error response from Login with Amazon.
    assignText(parsed, "errorType", error);
    assignText(parsed, "description", body["error_description"]);
    return parsed;
  }
  assignText(parsed, "description", body["errorMessage"]);
  if (typeof body["code"] === "string" || typeof body["code"] === "number") {
    assignText(parsed, "errorType", String(body["code"]));
    assignText(parsed, "description", body["details"]);
  }
  if (parsed.description === undefined) assignText(parsed, "description", body["message"]);
  return parsed;
}

function assignText(target: ParsedErrorBody, key: "requestId" | "description" | "errorType" | "fieldName", value: unknown): void {
  if (typeof value === "string" && value.length > 0) target[key] = truncate(value);
}

function toStatusCode(value: unknown): number | undefined {
  const code = typeof value === "number" ? value : typeof value === "string" ? Number(value) : NaN;
  return Number.isInteger(code) && code >= 100 && code <= 599 ? code : undefined;
}

function truncate(text: string, maxChars = MAX_TEXT_CHARS): string {
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
