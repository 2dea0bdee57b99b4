/**
 * Audience metadata: the caller-facing types and their (pure) translation to
 * and from the API's JSON, with int64 ids kept exact as decimal strings.
 * API: POST/GET/PUT /v2/dp/audiencemetadata (docs/amazon-api.md#endpoints).
 */
import { DspHttpError } from "./errors";
import { parseJsonWithInt64Ids, toInt64String } from "./int64";

export type AudienceFeeCurrency =
  | "USD" | "CAD" | "JPY" | "GBP" | "EUR" | "AUD" | "AED" | "SAR" | "MXN" | "INR" | "SEK" | "TRY" | "BRL";

/** Data fee charged per thousand impressions; the currency must be the DSP account's default. */
export interface AudienceFee {
  cpmCents: number;
  currency: AudienceFeeCurrency;
}

export interface CreateAudienceInput {
  /** 10–128 characters. */
  name: string;
  /** 0–1000 characters. */
  description: string;
  /** DSP advertiser id, int64 as a decimal string. */
  advertiserId: string;
  /** Your own id for the audience; the only way to find it again if a create's outcome is unknown. */
  externalAudienceId: string;
  /** ISO 3166-1 alpha-2 country codes of the data's origin. */
  dataSourceCountry: readonly string[];
  /** How long a record stays in the audience, in seconds (0–34,300,800). */
  ttl?: number;
  audienceFees?: readonly AudienceFee[];
}

/** The only fields PUT accepts; omitted fields stay unchanged. */
export interface UpdateAudienceInput {
  description?: string;
  /** In seconds. */
  ttl?: number;
  audienceFees?: readonly AudienceFee[];
  dataSourceCountry?: readonly string[];
}

/** Amazon's match statistics (GET only). */
export interface AudienceSize {
  receivedRecordSize?: number;
  matchedRecordSize?: number;
  /** 0..1 */
  matchRate?: number;
}

export interface AudienceMetadata {
  /** int64 decimal string (exceeds 2^53). */
  audienceId: string;
  name: string;
  description: string;
  /** int64 decimal string. */
  advertiserId: string;
  /** Always `DATA_PROVIDER` for these audiences. */
  type: string;
  externalAudienceId: string;
  dataSourceCountry: string[];
  /** In seconds, when Amazon reports it. */
  ttl?: number;
  audienceFees: AudienceFee[];
  audienceSize?: AudienceSize;
}

/** Response of POST/GET/PUT. */
export interface AudienceMetadataResult {
  audience: AudienceMetadata;
  requestId?: string;
}

/** JSON body for POST /v2/dp/audiencemetadata/; `advertiserId` is written as a bare int64 number. */
export function buildCreateAudienceBody(input: CreateAudienceInput): string {
  const metadata: Record<string, unknown> = {
    type: "DATA_PROVIDER",
    externalAudienceId: input.externalAudienceId,
    dataSourceCountry: input.dataSourceCountry,
  };
  if (input.ttl !== undefined) metadata["ttl"] = input.ttl;
  if (input.audienceFees !== undefined) metadata["audienceFees"] = input.audienceFees;
  return (
    `{"name":${JSON.stringify(input.name)},"description":${JSON.stringify(input.description)},` +
    `"advertiserId":${toInt64String(input.advertiserId, "advertiserId")},"metadata":${JSON.stringify(metadata)}}`
  );
}

/** JSON body for PUT /v2/dp/audiencemetadata/{id}: only the updatable fields that are set. */
export function buildUpdateAudienceBody(update: UpdateAudienceInput): string {
  const metadata: Record<string, unknown> = {};
  if (update.ttl !== undefined) metadata["ttl"] = update.ttl;
  if (update.audienceFees !== undefined) metadata["audienceFees"] = update.audienceFees;
  if (update.dataSourceCountry !== undefined) metadata["dataSourceCountry"] = update.dataSourceCountry;
  const body: Record<string, unknown> = {};
  if (update.description !== undefined) body["description"] = update.description;
  if (Object.keys(metadata).length > 0) body["metadata"] = metadata;
  return JSON.stringify(body);
}

/**
 * Reads `{requestId, audience: {...}}` losslessly. Tolerates the older
 * `receivedAudienceSize`/`matchedAudienceSize` names.
 * @throws DspHttpError when the body lacks an audience id.
 */
export function parseAudienceMetadataResponse(operation: string, status: number, bodyText: string): AudienceMetadataResult {
  const fail = (why: string): never => {
    throw new DspHttpError({ operation, status, description: `unexpected response body: ${why}` }, "unexpected response");
  };
  let body: unknown;
  try {
    body = parseJsonWithInt64Ids(bodyText);
  } catch {
    return fail("not JSON");
  }
  const root = asRecord(body) ?? fail("not an object");
  const audience = asRecord(root["audience"]) ?? fail("no audience object");
  const metadata = asRecord(audience["metadata"]) ?? {};
  const audienceId = audience["id"];
  if (typeof audienceId !== "string") return fail("no audience.id");

  const result: AudienceMetadata = {
    audienceId: toInt64String(audienceId, "audience.id"),
    name: asString(audience["name"]),
    description: asString(audience["description"]),
    advertiserId: typeof audience["advertiserId"] === "string" ? toInt64String(audience["advertiserId"], "audience.advertiserId") : "",
    type: asString(metadata["type"]),
    externalAudienceId: asString(metadata["externalAudienceId"]),
    dataSourceCountry: Array.isArray(metadata["dataSourceCountry"]) ? metadata["dataSourceCountry"].filter((c): c is string => typeof c === "string") : [],
    audienceFees: Array.isArray(metadata["audienceFees"]) ? metadata["audienceFees"].flatMap(toAudienceFee) : [],
  };
  if (typeof metadata["ttl"] === "number") result.ttl = metadata["ttl"];
  const size = asRecord(metadata["audienceSize"]);
  if (size !== undefined) result.audienceSize = toAudienceSize(size);

  const parsed: AudienceMetadataResult = { audience: result };
  if (typeof root["requestId"] === "string") parsed.requestId = root["requestId"];
  return parsed;
}

function toAudienceSize(size: Record<string, unknown>): AudienceSize {
  const audienceSize: AudienceSize = {};
  const received = size["receivedRecordSize"] ?? size["receivedAudienceSize"];
  const matched = size["matchedRecordSize"] ?? size["matchedAudienceSize"];
  if (typeof received === "number") audienceSize.receivedRecordSize = received;
  if (typeof matched === "number") audienceSize.matchedRecordSize = matched;
  if (typeof size["matchRate"] === "number") audienceSize.matchRate = size["matchRate"];
  return audienceSize;
}

function toAudienceFee(value: unknown): AudienceFee[] {
  const fee = asRecord(value);
  if (fee === undefined || typeof fee["cpmCents"] !== "number" || typeof fee["currency"] !== "string") return [];
  return [{ cpmCents: fee["cpmCents"], currency: fee["currency"] as AudienceFeeCurrency }];
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asString(value: unknown): string {
  return typeof value === "string" ? value : "";
}
