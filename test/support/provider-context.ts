/**
 * Provider contexts for provider-level tests: the providers pointed at a simulator (its endpoint
 * and credentials, snapshots in a folder), with a tuned client, and a client or store wrapped to
 * watch or interrupt what the providers do. Each context is one provider process; close it after.
 */
import { SIMULATOR_CREDENTIALS, type RunningSimulator } from "../../simulator";
import type { DspClient } from "../../provider/client";
import type { SnapshotStore } from "../../provider/snapshots";
import type { ConfigLookup } from "../../provider/config/dsp-settings";
import { configuredSnapshotStore } from "../../provider/config/snapshot-location";
import {
  createProviderContext,
  makeDspClient,
  type ClientTuning,
  type ProviderContext,
  type ProviderContextOptions,
} from "../../provider/provider-process/provider-context";

/** The stack config that points the providers at `sim`, snapshots in `snapshotDir`, plus any other `dsp:`-style keys a test needs. */
export function simulatorConfig(sim: RunningSimulator, snapshotDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    "dsp:endpoint": sim.url,
    "dsp:clientId": SIMULATOR_CREDENTIALS.clientId,
    "dsp:clientSecret": SIMULATOR_CREDENTIALS.clientSecret,
    "dsp:refreshToken": SIMULATOR_CREDENTIALS.refreshToken,
    "dsp:snapshotDir": snapshotDir,
    ...extra,
  };
}

export interface TestContextOptions extends Omit<ProviderContextOptions, "config" | "client" | "store"> {
  /** The stack config. @default none */
  config?: Record<string, string> | ConfigLookup;
  /** The client's tuning (retries, throttles). @default the client's own */
  clientOptions?: ClientTuning;
  /** Wraps the client the providers use (e.g. to simulate a crash after n requests). */
  wrapClient?: (client: DspClient) => DspClient;
  /** Wraps the snapshot store the providers use. */
  wrapStore?: (store: SnapshotStore) => SnapshotStore;
}

/** A provider context as `configure` would build it from `config`, with the test's client, store and settings. */
export function providerContext(options: TestContextOptions = {}): ProviderContext {
  const { config: given, clientOptions, wrapClient, wrapStore, ...rest } = options;
  const table = given;
  const config: ConfigLookup = typeof table === "function" ? table : (key) => table?.[key];
  const made = makeDspClient(config, clientOptions);
  const store = configuredSnapshotStore(config);
  const context = createProviderContext({ ...rest, config, client: wrapClient ? wrapClient(made) : made, store: wrapStore ? wrapStore(store) : store });
  return { ...context, close: () => made.close() };
}
