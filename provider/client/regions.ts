/**
 * Amazon Ads API hosts and Login-with-Amazon token endpoints per region.
 * Sources: docs/amazon-api.md#hosts-and-login.
 */
export type DspRegion = "NA" | "EU" | "FE";

/** Where to send API calls and where to refresh access tokens. */
export interface DspEndpoint {
  /** Base URL of the Ads API, without a trailing slash, e.g. `https://advertising-api.amazon.com`. */
  readonly apiUrl: string;
  /** Login-with-Amazon token URL, e.g. `https://api.amazon.com/auth/o2/token`. */
  readonly tokenUrl: string;
}

export const DSP_REGION_ENDPOINTS: Readonly<Record<DspRegion, DspEndpoint>> = Object.freeze({
  NA: { apiUrl: "https://advertising-api.amazon.com", tokenUrl: "https://api.amazon.com/auth/o2/token" },
  EU: { apiUrl: "https://advertising-api-eu.amazon.com", tokenUrl: "https://api.amazon.co.uk/auth/o2/token" },
  FE: { apiUrl: "https://advertising-api-fe.amazon.com", tokenUrl: "https://api.amazon.co.jp/auth/o2/token" },
});

/** Endpoint of a local simulator (or any server that mimics both APIs under one base URL). */
export function simulatorEndpoint(baseUrl: string): DspEndpoint {
  const apiUrl = stripTrailingSlashes(baseUrl);
  return { apiUrl, tokenUrl: `${apiUrl}/auth/o2/token` };
}

/** Turns a region name or a custom endpoint into a validated endpoint. */
export function resolveEndpoint(target: DspRegion | DspEndpoint): DspEndpoint {
  if (typeof target === "string") {
    const known = DSP_REGION_ENDPOINTS[target];
    if (known === undefined) {
      throw new Error(`Unknown DSP region "${String(target)}"; expected one of NA, EU, FE or { apiUrl, tokenUrl }`);
    }
    return known;
  }
  return {
    apiUrl: stripTrailingSlashes(requireHttpUrl(target.apiUrl, "apiUrl")),
    tokenUrl: requireHttpUrl(target.tokenUrl, "tokenUrl"),
  };
}

function requireHttpUrl(value: string, field: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(`DSP endpoint ${field} is not a valid URL`);
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new Error(`DSP endpoint ${field} must use http or https, got ${parsed.protocol}`);
  }
  return value;
}

function stripTrailingSlashes(url: string): string {
  return url.replace(/\/+$/, "");
}
