/**
 * How a command reaches the API: the same settings the provider reads (provider/config/
 * dsp-settings.ts), from options or the environment. Credentials come from the environment
 * only, never from the command line, where other users of the machine could read them.
 */
import { DspClient, type DspClientOptions } from "../client";
import { resolveDspCredentials, resolveDspEndpoint, SETTINGS, type ConfigLookup } from "../config/dsp-settings";
import type { OptionSpec } from "../util/command-line";

/** `--endpoint` and `--region`, in every command that calls the API. */
export const ENDPOINT_OPTIONS = {
  endpoint: {
    type: "string",
    value: "<url>",
    description: "API base URL: the simulator's, or a proxy; wins over --region",
    default: "none",
    env: SETTINGS.endpoint.env,
  },
  region: { type: "string", value: "NA|EU|FE", description: "Amazon's regional API host", default: "none", env: SETTINGS.region.env },
} as const satisfies Record<string, OptionSpec>;

/** The environment variables such a command reads besides its options'. */
export const CREDENTIALS_ENVIRONMENT: Readonly<Record<string, string>> = {
  [SETTINGS.clientId.env]: "Login with Amazon client id",
  [SETTINGS.clientSecret.env]: "Login with Amazon client secret",
  [SETTINGS.refreshToken.env]: "Login with Amazon refresh token",
  [SETTINGS.tokenEndpoint.env]: "token URL, with a custom endpoint (default: the endpoint's /auth/o2/token)",
};

/** The options given, as the stack config the settings module reads; unset ones fall to the environment. */
export function connectionConfig(values: { endpoint?: string | undefined; region?: string | undefined }): ConfigLookup {
  return (key) => (key === SETTINGS.endpoint.key ? values.endpoint : key === SETTINGS.region.key ? values.region : undefined);
}

/**
 * A client for the command, after checking that the endpoint and every credential are set (so
 * nothing is sent when one is missing). @throws Error naming what is missing, never a value
 */
export function connectClient(config: ConfigLookup, env: NodeJS.ProcessEnv, options: Partial<DspClientOptions> = {}): DspClient {
  const endpoint = resolveDspEndpoint(config, env);
  resolveDspCredentials(config, env);
  return new DspClient({ ...options, endpoint, credentials: () => resolveDspCredentials(config, env) });
}
