/**
 * What the dynamic provider process knows between calls: the stack config handed over by
 * `configure`, and a client and snapshot store made from it on first use. This module lives in
 * the provider process only; nothing here is serialized into state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DspClient, type DspClientOptions, type PatchBatchLimits } from "../client";
import type { SnapshotStore } from "../snapshots";
import type { HoldEnvironment, HoldTiming } from "../sync/sync-hold";
import type { ConfigLookup } from "../config/dsp-settings";
import { resolveDspCredentials, resolveDspEndpoint } from "../config/dsp-settings";
import { openSnapshotStore, resolveSnapshotLocation } from "../config/snapshot-location";
import { resolveMetadataLane } from "../config/metadata-rate";

let config: ConfigLookup = () => undefined;
let client: { key: string; client: DspClient } | undefined;

/** Seams for provider-level tests: client tuning, a wrapped client or store, send limits. Never set in a provider process. */
export interface ProviderOverrides {
  client?: Partial<Omit<DspClientOptions, "endpoint" | "credentials">>;
  /** Wraps the client every provider uses (e.g. to simulate a crash after n requests). */
  wrapClient?: (client: DspClient) => DspClient;
  /** Wraps the snapshot store every provider uses. */
  wrapStore?: (store: SnapshotStore) => SnapshotStore;
  /** Membership patch bodies and requests in flight. */
  sync?: { limits?: PatchBatchLimits; concurrency?: number };
  /** The plan memory budget in bytes, below `dsp:planMemoryMB`'s 1 MB floor, so small sets plan in windows. */
  planMemoryBytes?: number;
  /** Who this process is and its clock, for sync-record holds, history and retention; and the holds' timing. */
  holds?: { env?: Partial<HoldEnvironment>; timing?: Partial<HoldTiming> };
}

let overrides: ProviderOverrides = {};

export function setProviderOverrides(next: ProviderOverrides): void {
  overrides = next;
  client?.client.close();
  client = undefined;
}

export function providerOverrides(): Readonly<ProviderOverrides> {
  return overrides;
}

/** `configure` of every provider: keep the stack config (in memory only). */
export async function configureProvider(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  config = (key) => req.config.get(key);
}

/** Tests and the program can set the lookup directly. */
export function setProviderConfig(lookup: ConfigLookup): void {
  config = lookup;
}

export function providerConfig(): ConfigLookup {
  return config;
}

/**
 * One client per endpoint and client id, so every resource in this process shares its
 * throttles. Credentials are read on each token refresh, not kept.
 */
export function dspClient(): DspClient {
  const endpoint = resolveDspEndpoint(config);
  const key = `${endpoint.apiUrl} ${resolveDspCredentials(config).clientId}`;
  if (client?.key !== key) {
    client?.client.close();
    const metadata = resolveMetadataLane(config);
    const throttle = metadata === undefined ? overrides.client?.throttle : { ...overrides.client?.throttle, metadata: { ...overrides.client?.throttle?.metadata, ...metadata } };
    const made = new DspClient({ ...overrides.client, ...(throttle === undefined ? {} : { throttle }), endpoint, credentials: () => resolveDspCredentials(config) });
    client = { key, client: overrides.wrapClient ? overrides.wrapClient(made) : made };
  }
  return client.client;
}

/** The applied-set snapshot store for this program folder (see `resolveSnapshotLocation`; one per location). */
export function snapshotStore(programDir: string = process.cwd()): SnapshotStore {
  const store = openSnapshotStore(resolveSnapshotLocation(config, programDir).location);
  return overrides.wrapStore ? overrides.wrapStore(store) : store;
}
