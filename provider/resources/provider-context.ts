/**
 * What the dynamic provider process knows between calls: the stack config handed over by
 * `configure`, and a client and snapshot store made from it on first use. This module lives in
 * the provider process only; nothing here is serialized into state.
 */
import type * as pulumi from "@pulumi/pulumi";
import { DspClient } from "../client";
import { FileSnapshotStore, type SnapshotStore } from "../snapshots";
import type { ConfigLookup } from "../settings/dsp-settings";
import { resolveDspCredentials, resolveDspEndpoint, resolveSnapshotDir } from "../settings/dsp-settings";

let config: ConfigLookup = () => undefined;
let client: { key: string; client: DspClient } | undefined;
let store: { dir: string; store: SnapshotStore } | undefined;

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
    client = { key, client: new DspClient({ endpoint, credentials: () => resolveDspCredentials(config) }) };
  }
  return client.client;
}

/** The applied-set snapshot store for this program folder (see `resolveSnapshotDir`). */
export function snapshotStore(programDir: string = process.cwd()): SnapshotStore {
  const { dir } = resolveSnapshotDir(config, programDir);
  if (store?.dir !== dir) store = { dir, store: new FileSnapshotStore(dir) };
  return store.store;
}
