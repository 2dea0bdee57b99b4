/**
 * What one provider process knows between calls, as one value handed to each resource kind's
 * lifecycle: the stack config `configure` was given, a client and a snapshot store made from it
 * on first use, the engine log, who this process is for sync-record holds, the plan memory
 * budget, the send limits, and what it has done once (the retired-record sweep). It is built by
 * `configure` (see provider-host.ts) and lives in the provider process only: nothing here is
 * serialized into state, and credentials are read from the config at each token refresh.
 */
import { DspClient, type DspClientOptions, type PatchBatchLimits } from "../client";
import type { SnapshotStore } from "../snapshots";
import { DEFAULT_HOLD_TIMING, processHoldEnvironment, type HoldEnvironment, type HoldTiming } from "../sync/sync-hold";
import { resolveDspCredentials, resolveDspEndpoint, type ConfigLookup } from "../config/dsp-settings";
import { configuredSnapshotStore } from "../config/snapshot-location";
import { resolveMetadataLane } from "../config/metadata-rate";
import { resolvePlanMemoryBytes } from "../config/plan-memory";
import { engineLog, type EngineLog } from "./engine-log";

/** How membership patch bodies are cut and sent. */
export interface SendLimits {
  /** Body limits. @default 1,000,000 bytes and 2,000 patches (the API's) */
  readonly limits?: PatchBatchLimits;
  /** Requests in flight at once. @default 16 */
  readonly concurrency?: number;
}

/** The client's tuning besides where it connects and as whom (those come from the config). */
export type ClientTuning = Partial<Omit<DspClientOptions, "endpoint" | "credentials">>;

export interface ProviderContextOptions {
  /** The stack config, as `configure` hands it over (secrets decrypted). @default none: settings come from `DSP_*` or their defaults */
  readonly config?: ConfigLookup;
  /** The client every resource of this context uses. @default one made from the config on first use ({@link makeDspClient}) */
  readonly client?: DspClient;
  /** The applied-set snapshot store. @default the one the config names for the program's folder (the working directory), opened on first use */
  readonly store?: SnapshotStore;
  /** Where diagnostics go. @default {@link engineLog}: the engine in a provider process, else stderr */
  readonly log?: EngineLog;
  /** Who this process is and its clock, for sync-record holds, history and retention; and the holds' timing. @default this process, the system clock, DEFAULT_HOLD_TIMING */
  readonly holds?: { readonly env?: Partial<HoldEnvironment>; readonly timing?: Partial<HoldTiming> };
  /** The plan memory budget, in bytes. @default `dsp:planMemoryMB` (768 MB) */
  readonly planMemoryBytes?: number;
  /** How membership patches are sent. @default the API's limits, 16 requests in flight */
  readonly send?: SendLimits;
}

export interface ProviderContext {
  /** The stack config (in memory only). */
  readonly config: ConfigLookup;
  /** One client for every resource of this context, so they share its throttles. */
  client(): DspClient;
  /** The applied-set snapshot store. */
  store(): SnapshotStore;
  readonly log: EngineLog;
  /** This process and its clock, for holds; and the holds' timing. */
  readonly holds: { readonly env: HoldEnvironment; readonly timing: HoldTiming };
  /** The plan memory budget, in bytes. @throws Error naming `dsp:planMemoryMB` when it is malformed */
  planMemoryBytes(): number;
  readonly send: SendLimits;
  /** Snapshot store locations whose retired records this context swept (see record-holds.ts); one store per context. */
  readonly swept: Set<string>;
  /** Closes the client this context made (not one it was given). */
  close(): void;
}

/**
 * A client for the endpoint and credentials the config names, with the metadata lane's rate from
 * `dsp:metadataRate`. Credentials are read on each token refresh, not kept.
 */
export function makeDspClient(config: ConfigLookup, tuning: ClientTuning = {}): DspClient {
  const metadata = resolveMetadataLane(config);
  const throttle = metadata === undefined ? tuning.throttle : { ...tuning.throttle, metadata: { ...tuning.throttle?.metadata, ...metadata } };
  return new DspClient({ ...tuning, ...(throttle === undefined ? {} : { throttle }), endpoint: resolveDspEndpoint(config), credentials: () => resolveDspCredentials(config) });
}

export function createProviderContext(options: ProviderContextOptions = {}): ProviderContext {
  const config = options.config ?? ((): undefined => undefined);
  let client = options.client;
  let made: DspClient | undefined;
  let store = options.store;
  return {
    config,
    client: () => (client ??= made = makeDspClient(config)),
    store: () => (store ??= configuredSnapshotStore(config)),
    log: options.log ?? engineLog(),
    holds: { env: { ...processHoldEnvironment, ...options.holds?.env }, timing: { ...DEFAULT_HOLD_TIMING, ...options.holds?.timing } },
    planMemoryBytes: () => options.planMemoryBytes ?? resolvePlanMemoryBytes(config),
    send: options.send ?? {},
    swept: new Set(),
    close: () => made?.close(),
  };
}
