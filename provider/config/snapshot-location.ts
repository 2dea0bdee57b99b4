/**
 * Where applied-set snapshots live, as a URL, and the {@link SnapshotStore} for each URL scheme.
 *
 * The rule is that snapshots follow the Pulumi state: a preview on any machine that can reach the
 * state backend must find the sets the last `up` recorded. In order:
 *
 * 1. `dsp:snapshotStore` (or DSP_SNAPSHOT_STORE): a `file://` or `s3://` URL naming the store itself.
 * 2. `dsp:snapshotDir` (or DSP_SNAPSHOT_DIR): a folder, relative to the program folder.
 * 3. The state backend (PULUMI_BACKEND_URL, else `backend.url` in Pulumi.yaml, else the current
 *    `pulumi login`): `<backend>/.dsp-audiences/snapshots`, in the same folder or bucket.
 * 4. Otherwise (Pulumi Cloud, no login): the program folder, which does not follow the state;
 *    the program warns about it.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type * as yamlType from "yaml";
import { FileSnapshotStore, type SnapshotStore } from "../snapshots";
import type { S3SnapshotStoreOptions } from "../snapshots/object-store-snapshot-store";
import type { S3ClientSettings } from "../snapshots/s3-blob-store";
import { LruMap } from "../util/lru-map";
import { currentBackendUrl, readSetting, resolveSnapshotDir, type ConfigLookup } from "./dsp-settings";

/** Stack config key and environment variable of an explicit snapshot store URL. */
export const SNAPSHOT_STORE_SETTING = { key: "dsp:snapshotStore", env: "DSP_SNAPSHOT_STORE" } as const;

/** Sub-path of a backend (folder or bucket prefix) that holds the snapshots, beside Pulumi's own `.pulumi/`. */
export const SNAPSHOTS_BESIDE_BACKEND = ".dsp-audiences/snapshots";

/** Snapshots in a local (or mounted) folder. */
export interface FileSnapshotLocation {
  readonly scheme: "file";
  /** Absolute folder. */
  readonly dir: string;
}

/** Snapshots in an S3 bucket or an S3-compatible server. */
export interface S3SnapshotLocation {
  readonly scheme: "s3";
  readonly bucket: string;
  /** Key prefix of the snapshots, without leading or trailing `/`; "" is the bucket root. */
  readonly prefix: string;
  /** Settings of the S3 client, from the URL's query (the same names the Pulumi CLI accepts). */
  readonly client: S3ClientSettings;
}

export type { S3ClientSettings };

export type SnapshotLocation = FileSnapshotLocation | S3SnapshotLocation;

/** A resolved location and how it was chosen. */
export interface ResolvedSnapshotLocation {
  readonly location: SnapshotLocation;
  /** False only for the program-folder fallback: another machine will not see those snapshots. */
  readonly followsBackend: boolean;
  /** What decided it, for messages. */
  readonly source: "dsp:snapshotStore" | "dsp:snapshotDir" | "backend" | "program folder";
}

/**
 * Thrown for a store or backend URL whose scheme or option this version cannot use. Says what
 * is not supported and what to do instead; never falls back to a place another machine would
 * not see.
 */
export class SnapshotStoreUnsupportedError extends Error {
  override name = "SnapshotStoreUnsupportedError";
}

/** Schemes Pulumi accepts as backends that have no snapshot store here yet, and what to do instead. */
const NOT_YET: Record<string, string> = {
  "gs:":
    "Google Cloud Storage (gs://) is not supported yet as a snapshot store. Set dsp:snapshotStore to an s3:// URL " +
    "(GCS's S3-compatible XML API works with HMAC keys: s3://<bucket>/<prefix>?endpoint=https://storage.googleapis.com&region=auto) " +
    "or to a file:// folder every machine that previews can read.",
  "azblob:":
    "Azure Blob Storage (azblob://) is not supported yet as a snapshot store. Set dsp:snapshotStore to an s3:// URL " +
    "or to a file:// folder every machine that previews can read (e.g. a mounted Azure Files share).",
};

/** Query parameters of s3:// URLs that only tune the Go SDK the Pulumi CLI uses: harmless to ignore here. */
const IGNORED_S3_PARAMS = new Set(["awssdk", "rate_limiter_capacity", "hostname_immutable", "disable_https"]);

function parseBoolean(name: string, value: string, url: string): boolean {
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw new SnapshotStoreUnsupportedError(`${redact(url)}: ${name}=${value} is not a boolean`);
}

function checksumMode(name: string, value: string, url: string): "WHEN_SUPPORTED" | "WHEN_REQUIRED" {
  const upper = value.toUpperCase();
  if (upper === "WHEN_SUPPORTED" || upper === "WHEN_REQUIRED") return upper;
  throw new SnapshotStoreUnsupportedError(`${redact(url)}: ${name} must be when_supported or when_required, got ${value}`);
}

/** A URL without user info (a backend URL never carries secrets, but be safe in messages). */
function redact(url: string): string {
  return url.replace(/\/\/[^/@]*@/, "//***@");
}

/** The client settings in an s3:// URL's query; options this version cannot honour are errors, not silently dropped. */
function s3ClientSettings(url: URL, original: string): S3ClientSettings {
  const settings: { -readonly [K in keyof S3ClientSettings]: S3ClientSettings[K] } = {};
  for (const [name, value] of url.searchParams) {
    switch (name) {
      case "region":
        settings.region = value;
        break;
      case "endpoint":
        settings.endpoint = value;
        break;
      case "s3ForcePathStyle":
      case "use_path_style":
        settings.forcePathStyle = parseBoolean(name, value, original);
        break;
      case "profile":
        settings.profile = value;
        break;
      case "dualstack":
        settings.useDualstackEndpoint = parseBoolean(name, value, original);
        break;
      case "fips":
        settings.useFipsEndpoint = parseBoolean(name, value, original);
        break;
      case "accelerate":
        settings.useAccelerateEndpoint = parseBoolean(name, value, original);
        break;
      case "request_checksum_calculation":
        settings.requestChecksumCalculation = checksumMode(name, value, original);
        break;
      case "response_checksum_validation":
        settings.responseChecksumValidation = checksumMode(name, value, original);
        break;
      case "role":
      case "anonymous":
        throw new SnapshotStoreUnsupportedError(
          `${redact(original)}: the ${name}= option is not supported yet for snapshots; give the credentials through ` +
            "the AWS SDK's usual sources instead (AWS_* environment variables, AWS_PROFILE, a web-identity role), " +
            "or set dsp:snapshotStore to a URL without it.",
        );
      default:
        if (!IGNORED_S3_PARAMS.has(name)) {
          throw new SnapshotStoreUnsupportedError(`${redact(original)}: unknown query parameter "${name}"`);
        }
    }
  }
  return settings;
}

function joinKey(...parts: string[]): string {
  return parts
    .flatMap((p) => p.split("/"))
    .filter((p) => p !== "")
    .join("/");
}

function expandHome(p: string): string {
  return p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p;
}

/**
 * Parses a store URL. `file://<folder>` (relative folders start at `baseDir`) or
 * `s3://<bucket>[/<prefix>][?endpoint=…&s3ForcePathStyle=true&region=…]`; `subPath` is appended
 * (used to put snapshots beside a backend's own files).
 * @throws SnapshotStoreUnsupportedError for gs://, azblob:// and any other scheme
 */
export function parseSnapshotUrl(raw: string, baseDir: string, subPath = ""): SnapshotLocation {
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === "file:") {
    // Pulumi's file:// URLs are paths, not RFC 8089 URLs: file://~/state and file://relative are common.
    const local = expandHome(decodeURIComponent(raw.slice("file://".length).replace(/\?.*$/, "")));
    return { scheme: "file", dir: path.join(path.resolve(baseDir, local), subPath) };
  }
  if (scheme === "s3:") {
    const url = new URL(raw);
    if (url.hostname === "") throw new SnapshotStoreUnsupportedError(`${redact(raw)}: no bucket name`);
    return {
      scheme: "s3",
      bucket: url.hostname,
      prefix: joinKey(decodeURIComponent(url.pathname), subPath),
      client: s3ClientSettings(url, raw),
    };
  }
  const hint = scheme === undefined ? undefined : NOT_YET[scheme];
  if (hint !== undefined) throw new SnapshotStoreUnsupportedError(hint);
  throw new SnapshotStoreUnsupportedError(
    `${redact(raw)}: not a snapshot store URL; use file://<folder> or s3://<bucket>[/<prefix>]?endpoint=…&region=…`,
  );
}

/** True for backend URLs that hold Pulumi state in a folder or bucket (and so can hold snapshots too). */
function isBlobBackend(url: string): boolean {
  return /^(file|s3|gs|azblob):\/\//i.test(url);
}

/**
 * `backend.url` of the Pulumi.yaml in `programDir`, if any. The location is resolved for every
 * resource, so the file is parsed again only when it changed (one `stat` otherwise), and the YAML
 * parser is loaded only here: a provider process whose backend is in the environment never loads it.
 */
function projectBackendUrl(programDir: string): string | undefined {
  const file = path.join(programDir, "Pulumi.yaml");
  let version: string;
  try {
    const stats = fs.statSync(file);
    version = `${stats.mtimeMs}:${stats.size}`;
  } catch {
    return undefined; // no Pulumi.yaml here
  }
  const known = projectBackends.get(file);
  if (known?.version === version) return known.url;
  let url: string | undefined;
  try {
    const { parse } = require("yaml") as typeof yamlType;
    const project = parse(fs.readFileSync(file, "utf8")) as { backend?: { url?: unknown } } | null;
    const found = project?.backend?.url;
    url = typeof found === "string" && found !== "" ? found : undefined;
  } catch {
    url = undefined; // not ours to judge: the CLI reports a broken one
  }
  projectBackends.set(file, { version, url });
  return url;
}

/**
 * Program folders and snapshot locations a process keeps what it read or opened for: one of each
 * in the program and the providers, a few in a test or a command that reads several stacks.
 */
export const LOCATIONS_KEPT = 8;

/** The last reading of each Pulumi.yaml, for the {@link LOCATIONS_KEPT} most recent program folders. */
const projectBackends = new LruMap<string, { version: string; url: string | undefined }>(LOCATIONS_KEPT);

/** The backend URL the Pulumi CLI uses for this program, in the CLI's order of precedence. */
export function backendUrlFor(programDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PULUMI_BACKEND_URL) return env.PULUMI_BACKEND_URL;
  return projectBackendUrl(programDir) ?? currentBackendUrl(env);
}

/** Resolves where snapshots live (see the module comment for the order). */
export function resolveSnapshotLocation(
  config: ConfigLookup,
  programDir: string,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedSnapshotLocation {
  const fromConfig = config(SNAPSHOT_STORE_SETTING.key);
  const explicit = fromConfig !== undefined && fromConfig !== "" ? fromConfig : env[SNAPSHOT_STORE_SETTING.env];
  if (explicit !== undefined && explicit !== "") {
    return { location: parseSnapshotUrl(explicit, programDir), followsBackend: true, source: "dsp:snapshotStore" };
  }
  if (readSetting("snapshotDir", config, env) !== undefined) {
    return { location: { scheme: "file", dir: resolveSnapshotDir(config, programDir, env).dir }, followsBackend: true, source: "dsp:snapshotDir" };
  }
  const backend = backendUrlFor(programDir, env);
  if (backend !== undefined && isBlobBackend(backend)) {
    return { location: parseSnapshotUrl(backend, programDir, SNAPSHOTS_BESIDE_BACKEND), followsBackend: true, source: "backend" };
  }
  return {
    location: { scheme: "file", dir: path.join(programDir, ".dsp-audiences", "snapshots") },
    followsBackend: false,
    source: "program folder",
  };
}

/** The location as a URL-like string for messages and cache keys (no credentials are ever part of it). */
export function describeSnapshotLocation(location: SnapshotLocation): string {
  switch (location.scheme) {
    case "file":
      return location.dir;
    case "s3": {
      const where = location.prefix === "" ? location.bucket : `${location.bucket}/${location.prefix}`;
      return location.client.endpoint === undefined ? `s3://${where}` : `s3://${where} (at ${location.client.endpoint})`;
    }
  }
}

/** The S3 store's options for a location: the seam between URL parsing and the SDK. */
export function s3StoreOptions(location: S3SnapshotLocation): S3SnapshotStoreOptions {
  return { bucket: location.bucket, prefix: location.prefix, client: location.client };
}

/** One factory per scheme; a new backend kind is one entry here and one store class. */
const STORE_FACTORIES: { [S in SnapshotLocation["scheme"]]: (location: Extract<SnapshotLocation, { scheme: S }>) => SnapshotStore } = {
  file: (location) => new FileSnapshotStore(location.dir),
  s3: (location) => {
    // Required here, not imported above: the AWS SDK takes ~1.5 s to load and file stores never need it.
    const { S3SnapshotStore } = require("../snapshots/object-store-snapshot-store") as typeof import("../snapshots/object-store-snapshot-store");
    return new S3SnapshotStore(s3StoreOptions(location));
  },
};

const openStores = new LruMap<string, SnapshotStore>(LOCATIONS_KEPT);

/**
 * The store for a location, one per distinct location and process (an S3 client keeps its
 * connections) among the {@link LOCATIONS_KEPT} most recently opened; a store opened again after
 * that is a new one over the same blobs.
 */
export function openSnapshotStore(location: SnapshotLocation): SnapshotStore {
  const key = JSON.stringify(location);
  let store = openStores.get(key);
  if (store === undefined) {
    store = (STORE_FACTORIES[location.scheme] as (l: SnapshotLocation) => SnapshotStore)(location);
    openStores.set(key, store);
  }
  return store;
}

/** The store the config names for a program folder (see {@link resolveSnapshotLocation}; one per location). */
export function configuredSnapshotStore(config: ConfigLookup, programDir: string = process.cwd()): SnapshotStore {
  return openSnapshotStore(resolveSnapshotLocation(config, programDir).location);
}
