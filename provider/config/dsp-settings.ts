import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DspCredentials, DspEndpoint, DspRegion } from "../client";
import { resolveEndpoint, simulatorEndpoint } from "../client";

/**
 * Reads one configuration value by its full key (`dsp:clientId`). In the Pulumi program it is
 * `pulumi.Config`; in the dynamic provider process it is the config the engine hands to
 * `configure`; elsewhere nothing. Secrets arrive decrypted and are kept in memory only.
 */
export type ConfigLookup = (fullKey: string) => string | undefined;

/** Every setting, with the stack config key and the environment variable that can supply it. */
export const SETTINGS = {
  region: { key: "dsp:region", env: "DSP_REGION" },
  endpoint: { key: "dsp:endpoint", env: "DSP_ENDPOINT" },
  tokenEndpoint: { key: "dsp:tokenEndpoint", env: "DSP_TOKEN_ENDPOINT" },
  clientId: { key: "dsp:clientId", env: "DSP_CLIENT_ID" },
  clientSecret: { key: "dsp:clientSecret", env: "DSP_CLIENT_SECRET" },
  refreshToken: { key: "dsp:refreshToken", env: "DSP_REFRESH_TOKEN" },
  snapshotDir: { key: "dsp:snapshotDir", env: "DSP_SNAPSHOT_DIR" },
  planMemoryMB: { key: "dsp:planMemoryMB", env: "DSP_PLAN_MEMORY_MB" },
  historyRetentionDays: { key: "dsp:historyRetentionDays", env: "DSP_HISTORY_RETENTION_DAYS" },
  metadataRequestsPerSecond: { key: "dsp:metadataRequestsPerSecond", env: "DSP_METADATA_REQUESTS_PER_SECOND" },
  refreshSlices: { key: "dsp:refreshSlices", env: "DSP_REFRESH_SLICES" },
} as const;

export type SettingName = keyof typeof SETTINGS;

/** Stack config first, then the environment: a CI secret store can supply what the stack does not. */
export function readSetting(name: SettingName, config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const { key, env: envName } = SETTINGS[name];
  const fromConfig = config(key);
  if (fromConfig !== undefined && fromConfig !== "") return fromConfig;
  const fromEnv = env[envName];
  return fromEnv !== undefined && fromEnv !== "" ? fromEnv : undefined;
}

/** Where the API is: `dsp:endpoint` (a simulator or proxy URL) wins over `dsp:region`. */
export function resolveDspEndpoint(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): DspEndpoint {
  const custom = readSetting("endpoint", config, env);
  if (custom !== undefined) {
    const tokenUrl = readSetting("tokenEndpoint", config, env);
    return tokenUrl === undefined ? simulatorEndpoint(custom) : resolveEndpoint({ apiUrl: custom, tokenUrl });
  }
  const region = readSetting("region", config, env);
  if (region === undefined) {
    throw new Error(
      "No DSP endpoint configured: set `pulumi config set dsp:region NA|EU|FE`, or `dsp:endpoint <url>` " +
        "for the local simulator (or DSP_REGION / DSP_ENDPOINT in the environment).",
    );
  }
  return resolveEndpoint(region.toUpperCase() as DspRegion);
}

/**
 * Credentials, read when a request needs them. Missing ones name the config key and the
 * variable, never a value.
 */
export function resolveDspCredentials(config: ConfigLookup, env: NodeJS.ProcessEnv = process.env): DspCredentials {
  const missing: string[] = [];
  const pick = (name: "clientId" | "clientSecret" | "refreshToken"): string => {
    const v = readSetting(name, config, env);
    if (v === undefined) missing.push(`${SETTINGS[name].key} (or ${SETTINGS[name].env})`);
    return v ?? "";
  };
  const credentials = { clientId: pick("clientId"), clientSecret: pick("clientSecret"), refreshToken: pick("refreshToken") };
  if (missing.length > 0) {
    throw new Error(
      `Missing DSP credentials: ${missing.join(", ")}. Set secrets with \`pulumi config set --secret <key> <value>\`.`,
    );
  }
  return credentials;
}

/**
 * The URL of the Pulumi backend this process works against, as the CLI resolves it:
 * PULUMI_BACKEND_URL, else the current login in $PULUMI_HOME/credentials.json.
 */
export function currentBackendUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
  const home = env.PULUMI_HOME ?? path.join(os.homedir(), ".pulumi");
  try {
    const creds = JSON.parse(fs.readFileSync(path.join(home, "credentials.json"), "utf8")) as { current?: string };
    return creds.current;
  } catch {
    return undefined;
  }
}

/**
 * Where applied-set snapshots live: `dsp:snapshotDir` if set; else beside a local file backend
 * (`<backend>/.dsp-audiences/snapshots`), so they follow the state; else `.dsp-audiences/snapshots`
 * under the program folder, with a warning from the caller since another machine will not see it.
 */
export function resolveSnapshotDir(
  config: ConfigLookup,
  programDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { dir: string; followsBackend: boolean } {
  const explicit = readSetting("snapshotDir", config, env);
  if (explicit !== undefined) return { dir: path.resolve(programDir, explicit), followsBackend: true };
  const backend = currentBackendUrl(env);
  if (backend?.startsWith("file://")) {
    const local = backend.slice("file://".length);
    const base = local === "~" || local.startsWith("~/") ? path.join(os.homedir(), local.slice(1)) : local;
    return { dir: path.join(path.resolve(programDir, base), ".dsp-audiences", "snapshots"), followsBackend: true };
  }
  return { dir: path.join(programDir, ".dsp-audiences", "snapshots"), followsBackend: false };
}
