/**
 * Public options of the simulator and their resolution to concrete values.
 * Everything here is pure data; nothing opens sockets or files.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** Login-with-Amazon style credentials of one client application. */
export interface SimulatorClientCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

/** Limits the simulator enforces. A rate of `0` (or `Infinity`) disables that throttle. */
export interface SimulatorLimits {
  /** POST/GET/PUT audiencemetadata, one shared bucket per client id, requests/s. @default 1 */
  metadataTps: number;
  /** PATCH /v2/dp/audience, requests/s. @default 100 */
  audienceTps: number;
  /** PATCH /v2/dp/users, requests/s. @default 1 */
  usersTps: number;
  /** POST /dp/records/hashed, requests/s (undocumented by Amazon). @default 10 */
  hashedTps: number;
  /** Max body of PATCH /v2/dp/audience in bytes (the guide's 1 MB, stricter than the spec's 6 MB). @default 1_000_000 */
  audienceMaxBytes: number;
  /** Max patches in one PATCH /v2/dp/audience. @default 2000 */
  audienceMaxPatches: number;
  /** Max body of POST /dp/records/hashed in bytes. @default 5_000_000 */
  hashedMaxBytes: number;
  /** Max users in one PATCH /v2/dp/users. @default 1000 */
  usersMaxUsers: number;
  /** Max body of PATCH /v2/dp/users in bytes. @default 1_000_000 */
  usersMaxBytes: number;
  /**
   * Token-bucket capacity used for every endpoint. `0` means "equal to that endpoint's TPS"
   * (so 1 TPS allows at most one request in any 1 s window).
   * @default 0
   */
  throttleBurst: number;
}

/** Seeded fault injection. Rates are probabilities in [0, 1]; their sum must not exceed 1. */
export interface FaultOptions {
  /** Seed of the PRNG that decides faults. @default 1 */
  seed?: number;
  /** Share of requests answered 429 with Retry-After. @default 0 */
  rate429?: number;
  /** Share of requests answered 500 or 503. @default 0 */
  rate5xx?: number;
  /** Extra latency added to every faultable request, ms. @default 0 */
  latencyMs?: number;
  /** Share of requests whose connection is destroyed without a response. @default 0 */
  dropRate?: number;
  /** Only requests whose path starts with one of these prefixes are faultable. @default all non-admin, non-token routes */
  paths?: string[];
  /**
   * Only these exact routes are faultable: `"PATCH /v2/dp/audience"` (method and path) or `"/v2/dp/audience"`
   * (path, any method). Unlike `paths`, `/v2/dp/audience` here does not also match `/v2/dp/audiencemetadata`.
   * @default all non-admin, non-token routes
   */
  routes?: string[];
  /**
   * The rule faults this many requests, then is spent (requests pass unharmed until the next `setFaults`).
   * Counts requests given a fault (drop, 429, 5xx); a rule with only `latencyMs` counts delayed requests.
   * `{rate5xx: 1, applyThenFail: true, count: 3, routes: ["PATCH /v2/dp/audience"]}` = "apply the next 3
   * membership patches, then answer them 5xx". @default unlimited
   */
  count?: number;
  /**
   * When true, a 5xx fault is decided as usual but the request is processed first (state changes),
   * then answered 5xx: what real servers sometimes do. @default false
   */
  applyThenFail?: boolean;
}

/** Fractions of COOKIE and MAID records the deterministic match model treats as matched. */
export interface MatchRates {
  /** @default 0.7 */
  cookie?: number;
  /** @default 0.8 */
  maid?: number;
}

export interface SimulatorOptions {
  /** TCP port; 0 picks an ephemeral port. @default 0 */
  port?: number;
  /** Listen address. Keep it on loopback. @default "127.0.0.1" */
  host?: string;
  /** Directory for the append-only log and snapshot; unset keeps state in memory only. */
  dataDir?: string;
  /** The client application the simulator knows. @default SIMULATOR_CREDENTIALS */
  credentials?: SimulatorClientCredentials;
  /** More known client applications, e.g. to test access to another client's audience. @default [] */
  additionalCredentials?: SimulatorClientCredentials[];
  /** Lifetime of issued access tokens, seconds. @default 3600 */
  accessTokenTtlSeconds?: number;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  limits?: Partial<SimulatorLimits>;
  /** Fault injection at start; change at run time with `setFaults` or `POST /__sim/faults`. */
  faults?: FaultOptions;
  /** Audience ids count up from here (first id = base + 1). @default 72057594038053890n (> 2^53) */
  audienceIdBase?: bigint;
  /** Delay before an accepted audience patch is applied, ms; 0 applies it before the response. @default 0 */
  patchApplyDelayMs?: number;
  /** Seed of the deterministic match model. @default "dsp-simulator" */
  matchSeed?: string;
  /** Match fractions of the match model. */
  matchRates?: MatchRates;
  /** When true, `Authorization` must use the `Bearer` scheme. @default false */
  strictAuthorizationHeader?: boolean;
  /** Time source in ms since the epoch, used by throttles, token expiry and logs. @default Date.now */
  clock?: () => number;
  /** Waits out an injected latency (`faults.latencyMs`), in ms; tests pass one they control. @default a timer (`setTimeout`) */
  sleep?: (ms: number) => Promise<void>;
  /** Receives one human-readable line per request. */
  log?: (line: string) => void;
  /** Number of request-log entries kept. @default 100_000 */
  requestLogLimit?: number;
  /** With `dataDir`, compact the log into a snapshot once it exceeds this many bytes. @default 64 MiB */
  compactAfterBytes?: number;
}

export const SIMULATOR_CREDENTIALS = {
  clientId: "amzn1.application-oa2-client.simulator",
  clientSecret: "simulator-client-secret",
  refreshToken: "Atzr|simulator-refresh-token",
} as const satisfies SimulatorClientCredentials;

export const DEFAULT_LIMITS: SimulatorLimits = Object.freeze({
  metadataTps: 1,
  audienceTps: 100,
  usersTps: 1,
  hashedTps: 10,
  audienceMaxBytes: 1_000_000,
  audienceMaxPatches: 2000,
  hashedMaxBytes: 5_000_000,
  usersMaxUsers: 1000,
  usersMaxBytes: 1_000_000,
  throttleBurst: 0,
});

export const DEFAULT_AUDIENCE_ID_BASE = 72057594038053890n;
export const DEFAULT_MATCH_SEED = "dsp-simulator";
export const DEFAULT_MATCH_RATES: Required<MatchRates> = Object.freeze({ cookie: 0.7, maid: 0.8 });

/** Options with every default filled in. */
export interface ResolvedOptions {
  port: number;
  host: string;
  dataDir: string | undefined;
  clients: readonly SimulatorClientCredentials[];
  accessTokenTtlSeconds: number;
  limits: SimulatorLimits;
  faults: FaultOptions;
  audienceIdBase: bigint;
  patchApplyDelayMs: number;
  matchSeed: string;
  matchRates: Required<MatchRates>;
  strictAuthorizationHeader: boolean;
  clock: () => number;
  sleep: (ms: number) => Promise<void>;
  log: ((line: string) => void) | undefined;
  requestLogLimit: number;
  compactAfterBytes: number;
}

export function resolveOptions(opts: SimulatorOptions = {}): ResolvedOptions {
  const primary = opts.credentials ?? SIMULATOR_CREDENTIALS;
  const clients = [primary, ...(opts.additionalCredentials ?? [])];
  if (new Set(clients.map((c) => c.clientId)).size !== clients.length) {
    throw new Error("simulator: client ids in credentials and additionalCredentials must be distinct");
  }
  const limits: SimulatorLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== "number" || Number.isNaN(value) || value < 0) {
      throw new Error(`simulator: limits.${name} must be a non-negative number`);
    }
  }
  const matchRates = { ...DEFAULT_MATCH_RATES, ...opts.matchRates };
  for (const [name, value] of Object.entries(matchRates)) {
    if (!(value >= 0 && value <= 1)) throw new Error(`simulator: matchRates.${name} must be in [0, 1]`);
  }
  const audienceIdBase = opts.audienceIdBase ?? DEFAULT_AUDIENCE_ID_BASE;
  if (audienceIdBase < 0n || audienceIdBase >= 2n ** 63n - 1_000_000n) {
    throw new Error("simulator: audienceIdBase must be a non-negative int64 with room to count up");
  }
  return {
    port: opts.port ?? 0,
    host: opts.host ?? "127.0.0.1",
    dataDir: opts.dataDir,
    clients,
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3600,
    limits,
    faults: opts.faults ?? {},
    audienceIdBase,
    patchApplyDelayMs: opts.patchApplyDelayMs ?? 0,
    matchSeed: opts.matchSeed ?? DEFAULT_MATCH_SEED,
    matchRates,
    strictAuthorizationHeader: opts.strictAuthorizationHeader ?? false,
    clock: opts.clock ?? Date.now,
    sleep: opts.sleep ?? ((ms) => sleep(ms)),
    log: opts.log,
    requestLogLimit: opts.requestLogLimit ?? 100_000,
    compactAfterBytes: opts.compactAfterBytes ?? 64 * 1024 * 1024,
  };
}
